// Shared UI: a labelled form field whose API errors (by JSON:API `source.pointer`) appear under it.
import { type ReactNode, useId } from "react";
import type { ApiError } from "../api/api-error";

/** Props of Field. */
export interface FieldProps {
  readonly label: string;
  /** The JSON pointer of this field in the request document, e.g. `/data/attributes/name`. */
  readonly pointer?: string;
  readonly error?: unknown;
  readonly hint?: string;
  /** Renders the control with the id and aria attributes it must carry. */
  readonly children: (control: {
    id: string;
    "aria-describedby"?: string;
    "aria-invalid"?: boolean;
  }) => ReactNode;
}

/** A label, a control, a hint and the API's errors about this field. */
export function Field({ label, pointer, error, hint, children }: FieldProps) {
  const id = useId();
  const messages =
    pointer !== undefined && error instanceof Error && "forPointer" in error
      ? (error as ApiError).forPointer(pointer).map((e) => e.detail ?? e.title ?? "invalid")
      : [];
  const describedBy = [hint ? `${id}-hint` : "", messages.length ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
        ...(messages.length ? { "aria-invalid": true } : {}),
      })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {messages.length > 0 && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {messages.join("; ")}
        </p>
      )}
    </div>
  );
}
