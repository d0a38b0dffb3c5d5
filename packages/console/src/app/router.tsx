// App: the routes. Policy pages (the editor, the simulator) are loaded on demand: CodeMirror and
// the Rego engine stay out of the initial JavaScript. Keep the first segments in step with
// CONSOLE_ROUTES in packages/server/src/http/plugins/console-static.ts (reloads of client routes).
import { createBrowserRouter } from "react-router";
import { KeyAccessPage } from "../features/access/routes/key-access-page";
import { AuditEventPage } from "../features/audit/routes/audit-event-page";
import { AuditLogPage } from "../features/audit/routes/audit-log-page";
import { InvitePage } from "../features/auth/routes/invite-page";
import { SignInPage } from "../features/auth/routes/sign-in-page";
import { DelegatesPage } from "../features/delegates/routes/delegates-page";
import { EvaluationPage } from "../features/evaluations/routes/evaluation-page";
import { EvaluationsPage } from "../features/evaluations/routes/evaluations-page";
import { OverviewPage } from "../features/overview/routes/overview-page";
import { PolicySetsPage } from "../features/policy-sets/routes/policy-sets-page";
import { ServiceAccountPage } from "../features/service-accounts/routes/service-account-page";
import { ServiceAccountsPage } from "../features/service-accounts/routes/service-accounts-page";
import { SpacesPage } from "../features/spaces/routes/spaces-page";
import { ApiKeyPage } from "../features/tokens/routes/api-key-page";
import { TokensPage } from "../features/tokens/routes/tokens-page";
import { UsersPage } from "../features/users/routes/users-page";
import { Layout } from "./layout";
import { NotFoundPage } from "./not-found-page";

/** The console's router. */
export const router = createBrowserRouter([
  { path: "/sign-in", element: <SignInPage /> },
  { path: "/invite", element: <InvitePage /> },
  {
    element: <Layout />,
    children: [
      { index: true, element: <OverviewPage /> },
      { path: "spaces", element: <SpacesPage /> },
      { path: "users", element: <UsersPage /> },
      { path: "service-accounts", element: <ServiceAccountsPage /> },
      { path: "service-accounts/:id", element: <ServiceAccountPage /> },
      { path: "api-keys/:id", element: <ApiKeyPage /> },
      { path: "api-keys/:id/access", element: <KeyAccessPage /> },
      { path: "tokens", element: <TokensPage /> },
      {
        path: "policies",
        lazy: async () => ({
          Component: (await import("../features/policies/routes/policies-page")).PoliciesPage,
        }),
      },
      {
        path: "policies/:id",
        lazy: async () => ({
          Component: (await import("../features/policies/routes/policy-page")).PolicyPage,
        }),
      },
      {
        path: "simulate",
        lazy: async () => ({
          Component: (await import("../features/policies/routes/simulate-page")).SimulatePage,
        }),
      },
      { path: "policy-sets", element: <PolicySetsPage /> },
      { path: "evaluations", element: <EvaluationsPage /> },
      { path: "evaluations/:id", element: <EvaluationPage /> },
      { path: "delegates", element: <DelegatesPage /> },
      { path: "audit", element: <AuditLogPage /> },
      { path: "audit/:id", element: <AuditEventPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
