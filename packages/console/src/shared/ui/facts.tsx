// Shared UI: a detail page's facts as a definition list (term, then its value).
import { Fragment, type ReactNode } from "react";

/** A `<dl className="facts">` of [term, value] pairs, in order. */
export function Facts({ facts }: { readonly facts: readonly (readonly [string, ReactNode])[] }) {
  return (
    <dl className="facts">
      {facts.map(([term, value]) => (
        <Fragment key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
