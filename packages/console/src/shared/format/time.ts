// Shared, formatting: times as people read them (absolute, and relative to now).

const ABSOLUTE = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** `4 Dec 2026, 23:15 UTC`, or an em dash for none. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return "—";
  return `${ABSOLUTE.format(new Date(value))} UTC`;
}

/** `in 3 days`, `5 minutes ago`, or `never`. */
export function formatRelative(value: string | null | undefined, never = "never"): string {
  if (!value) return never;
  const seconds = (new Date(value).getTime() - Date.now()) / 1000;
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of units)
    if (Math.abs(seconds) >= size) return RELATIVE.format(Math.round(seconds / size), unit);
  return RELATIVE.format(Math.round(seconds), "second");
}
