// Shared UI: a JSON document, pretty-printed in a scrollable block that the keyboard can reach.

/** Shows `value` as indented JSON; `label` names the block for assistive technology. */
export function JsonView({ value, label }: { readonly value: unknown; readonly label: string }) {
  return (
    <section aria-label={label}>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must be reachable by keyboard (WCAG 2.1.1) */}
      <pre className="json" tabIndex={0}>
        {JSON.stringify(value, null, 2)}
      </pre>
    </section>
  );
}
