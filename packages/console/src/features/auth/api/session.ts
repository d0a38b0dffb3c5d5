// Auth, API: the console's session (cookie sign-in with a personal token, its CSRF token, sign-out).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ok, setCsrfToken, setOrganization } from "../../../shared/api/api-client";
import { ApiError } from "../../../shared/api/api-error";

/** Who is signed in, in which organization, with which CSRF token. */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly organization: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

interface SessionDocument {
  readonly data: {
    readonly id: string;
    readonly attributes: { readonly "csrf-token": string; readonly "expires-at": string };
    readonly relationships: {
      readonly user: { readonly data: { readonly id: string } | null };
      readonly organization: { readonly data: { readonly id: string } | null };
    };
  };
}

function sessionOf(document: SessionDocument): Session {
  const session: Session = {
    id: document.data.id,
    userId: document.data.relationships.user.data?.id ?? "",
    organization: document.data.relationships.organization.data?.id ?? "",
    csrfToken: document.data.attributes["csrf-token"],
    expiresAt: document.data.attributes["expires-at"],
  };
  setCsrfToken(session.csrfToken);
  setOrganization(session.organization);
  return session;
}

/** The query key of the current session. */
export const SESSION_KEY = ["session"] as const;

/** The current session, or null when signed out (401). */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<Session | null> => {
      try {
        return sessionOf((await ok(api.GET("/api/v2/sessions/current"))) as SessionDocument);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

/** Signs in with a personal token: the server sets the session cookie; the token is kept nowhere. */
export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (token: string) =>
      sessionOf(
        (await ok(
          api.POST("/api/v2/sessions", { body: { data: { type: "sessions", attributes: { token } } } }),
        )) as SessionDocument,
      ),
    onSuccess: (session) => {
      client.clear();
      client.setQueryData(SESSION_KEY, session);
    },
  });
}

/** Ends the session on the server (the cookie stops working) and forgets every cached answer. */
export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => ok(api.DELETE("/api/v2/sessions/current")),
    onSettled: () => {
      setCsrfToken(undefined);
      client.clear();
      client.setQueryData(SESSION_KEY, null);
    },
  });
}

/** The signed-in person's account (name and display name), for the frame. */
export function useAccount(enabled: boolean) {
  return useQuery({
    queryKey: ["account"],
    enabled,
    staleTime: 60_000,
    queryFn: () => ok(api.GET("/api/v2/account/details")),
  });
}
