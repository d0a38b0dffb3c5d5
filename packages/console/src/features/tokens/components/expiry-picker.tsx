// Tokens, component: when a token expires: a preset duration, a date, or never.
import { useState } from "react";

const PRESETS: readonly { value: string; label: string; days?: number }[] = [
  { value: "7", label: "7 days", days: 7 },
  { value: "30", label: "30 days", days: 30 },
  { value: "90", label: "90 days", days: 90 },
  { value: "365", label: "1 year", days: 365 },
  { value: "custom", label: "On a date…" },
  { value: "never", label: "Never (not recommended)" },
];

/** The chosen expiry as an RFC 3339 time, or null for never. */
export function expiryOf(choice: string, date: string): string | null {
  if (choice === "never") return null;
  if (choice === "custom") return date ? new Date(`${date}T00:00:00Z`).toISOString() : null;
  const days = PRESETS.find((p) => p.value === choice)?.days ?? 30;
  return new Date(Date.now() + days * 86_400_000).toISOString();
}

/** A select of presets, and a date input when "On a date…" is chosen. */
export function ExpiryPicker({
  id,
  onChange,
  describedBy,
}: {
  id: string;
  onChange: (choice: string, date: string) => void;
  describedBy?: string;
}) {
  const [choice, setChoice] = useState("30");
  const [date, setDate] = useState("");
  return (
    <div className="expiry-picker">
      <select
        id={id}
        aria-describedby={describedBy}
        value={choice}
        onChange={(e) => {
          setChoice(e.target.value);
          onChange(e.target.value, date);
        }}
      >
        {PRESETS.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </select>
      {choice === "custom" && (
        <input
          type="date"
          aria-label="Expiry date"
          value={date}
          onChange={(e) => {
            setDate(e.target.value);
            onChange(choice, e.target.value);
          }}
        />
      )}
    </div>
  );
}
