// Shared UI: a modal dialog on the platform's <dialog> (focus kept inside, Escape closes it).
import { type ReactNode, useEffect, useId, useRef } from "react";

/** Props of Dialog. */
export interface DialogProps {
  readonly open: boolean;
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
  /** "alertdialog" for one that demands attention (a secret shown once). */
  readonly role?: "dialog" | "alertdialog";
}

/** A modal dialog with a title; closing (Escape, a close button) calls onClose. */
export function Dialog({ open, title, onClose, children, role = "dialog" }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      role={role}
      aria-labelledby={titleId}
      aria-modal="true"
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}
