// Shared UI: the header row of a list table.

/** A `<thead>` with one column header per name; `actions` names a last, visually hidden column. */
export function TableHead({
  columns,
  actions,
}: {
  readonly columns: readonly string[];
  readonly actions?: string;
}) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col">
            {column}
          </th>
        ))}
        {actions !== undefined && (
          <th scope="col">
            <span className="visually-hidden">{actions}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
