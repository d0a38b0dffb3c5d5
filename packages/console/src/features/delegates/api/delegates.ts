// Delegates, API: delegate tokens, connected delegates, and their live status stream (server-sent
// events: connected, heartbeat, disconnected) folded into the cached list.
import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

/** The organization's delegate tokens. */
export function useDelegateTokens() {
  return useQuery({
    queryKey: ["delegate-tokens", currentOrganization()],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/delegate-tokens", {
          params: { path: { org: currentOrganization() }, query: { "page[size]": 100 } },
        }),
      ),
  });
}

/** The delegates connected now. */
export function useConnectedDelegates() {
  return useQuery({
    queryKey: ["delegates", currentOrganization()],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/delegates", {
          params: { path: { org: currentOrganization() }, query: { "page[size]": 100 } },
        }),
      ),
  });
}

type DelegatesDocument = Awaited<ReturnType<typeof fetchShape>>;
function fetchShape() {
  return ok(api.GET("/api/v2/organizations/{org}/delegates", { params: { path: { org: "" } } }));
}
type Delegate = DelegatesDocument["data"][number];

function fold(client: QueryClient, kind: string, delegate: Delegate): void {
  client.setQueryData<DelegatesDocument>(["delegates", currentOrganization()], (document) => {
    if (document === undefined) return document;
    const others = document.data.filter((d) => d.id !== delegate.id);
    const data = kind === "delegate.disconnected" ? others : [...others, delegate];
    return { ...document, data };
  });
}

/** Whether the live stream is open; keeps the delegates list current while mounted. */
export function useDelegateEvents(): "connecting" | "live" | "reconnecting" {
  const client = useQueryClient();
  const [state, setState] = useState<"connecting" | "live" | "reconnecting">("connecting");
  useEffect(() => {
    const source = new EventSource(
      `/api/v2/organizations/${encodeURIComponent(currentOrganization())}/delegates/events`,
    );
    const on = (kind: string) => (event: MessageEvent<string>) => {
      try {
        fold(client, kind, JSON.parse(event.data) as Delegate);
      } catch {
        void client.invalidateQueries({ queryKey: ["delegates"] });
      }
    };
    const kinds = ["delegate.connected", "delegate.heartbeat", "delegate.disconnected"];
    const handlers = kinds.map((kind) => [kind, on(kind)] as const);
    for (const [kind, handler] of handlers) source.addEventListener(kind, handler);
    source.onopen = () => {
      setState("live");
      // Anything missed while the stream was down.
      void client.invalidateQueries({ queryKey: ["delegates"] });
    };
    source.onerror = () => setState("reconnecting");
    return () => source.close();
  }, [client]);
  return state;
}

/** Creates a delegate token in a space; the answer holds its secret, shown once. */
export function useCreateDelegateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; spaceId: string }) =>
      ok(
        api.POST("/api/v2/organizations/{org}/delegate-tokens", {
          params: { path: { org: currentOrganization() } },
          body: {
            data: {
              type: "delegate-tokens",
              attributes: { name: input.name },
              ...(input.spaceId
                ? { relationships: { space: { data: { type: "spaces", id: input.spaceId } } } }
                : {}),
            },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["delegate-tokens"] }),
  });
}

/** Revokes a delegate token: its connected agents are dropped. */
export function useRevokeDelegateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      ok(api.POST("/api/v2/delegate-tokens/{id}/actions/revoke", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["delegate-tokens"] }),
  });
}
