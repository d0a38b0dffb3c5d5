// App: the signed-in frame: navigation, who is signed in, sign-out; signed-out visitors go to /sign-in.
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import { useAccount, useSession, useSignOut } from "../features/auth/api/session";

const NAV: readonly { to: string; label: string; end?: boolean }[] = [
  { to: "/", label: "Overview", end: true },
  { to: "/spaces", label: "Spaces" },
  { to: "/users", label: "Users" },
  { to: "/service-accounts", label: "Service accounts" },
  { to: "/tokens", label: "Tokens" },
  { to: "/policies", label: "Policies" },
  { to: "/policy-sets", label: "Policy sets" },
  { to: "/simulate", label: "Simulate" },
  { to: "/evaluations", label: "Evaluations" },
  { to: "/delegates", label: "Delegates" },
  { to: "/audit", label: "Audit log" },
];

/** The frame around every signed-in page. */
export function Layout() {
  const session = useSession();
  const signOut = useSignOut();
  const account = useAccount(Boolean(session.data));
  const location = useLocation();
  if (session.isPending) return <p className="muted center">Loading…</p>;
  if (!session.data)
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            K
          </span>{" "}
          Keygate
        </div>
        <p className="org" title="Organization">
          {session.data.organization}
        </p>
        <nav aria-label="Console">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end ?? false}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-foot">
          <p className="small muted">
            Signed in as{" "}
            {account.data?.data.attributes["display-name"] ||
              account.data?.data.attributes.name ||
              session.data.userId}
          </p>
          <button
            type="button"
            className="button subtle wide"
            onClick={() => signOut.mutate()}
            disabled={signOut.isPending}
          >
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
