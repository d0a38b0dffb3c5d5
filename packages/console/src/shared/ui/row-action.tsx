// Shared UI: the destructive action of a table row (revoke, delete).

/** A small outlined danger button; its accessible name is "`action` `subject`" (e.g. "Revoke ci"). */
export function DangerRowAction({
  action,
  subject,
  onClick,
}: {
  readonly action: string;
  readonly subject: string;
  readonly onClick: () => void;
}) {
  return (
    <button
      type="button"
      className="button small danger-outline"
      onClick={onClick}
      aria-label={`${action} ${subject}`}
    >
      {action}
    </button>
  );
}
