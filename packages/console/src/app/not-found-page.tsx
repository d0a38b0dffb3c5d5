// App: a console path that matches no page.
import { Link } from "react-router";
import { PageHeader } from "../shared/ui/page-header";

/** The not-found page. */
export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" description="No console page lives at this address." />
      <Link to="/">Back to the overview</Link>
    </>
  );
}
