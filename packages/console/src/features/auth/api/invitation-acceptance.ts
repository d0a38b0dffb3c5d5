// Auth, API: an invitation link's preview and its acceptance (mints the first personal token).
import { useMutation, useQuery } from "@tanstack/react-query";
import { api, ok } from "../../../shared/api/api-client";

/** What an invitation is for. */
export interface InvitationPreview {
  readonly userName: string;
  readonly organization: string;
  readonly expiresAt: string;
}

/** The preview of the invitation whose secret is `secret` (404 unknown/used/revoked, 410 expired). */
export function useInvitationPreview(secret: string) {
  return useQuery({
    queryKey: ["invitation-preview", secret],
    enabled: secret !== "",
    retry: false,
    queryFn: async (): Promise<InvitationPreview> => {
      const document = (await ok(
        api.POST("/api/v2/invitation-previews", {
          body: { data: { type: "invitation-previews", attributes: { secret } } },
        }),
      )) as { data: { attributes: Record<string, string> } };
      const a = document.data.attributes;
      return {
        userName: a["user-name"] ?? "",
        organization: a.organization ?? "",
        expiresAt: a["expires-at"] ?? "",
      };
    },
  });
}

/** Accepts an invitation: answers the new personal token's secret (shown once). */
export function useAcceptInvitation() {
  return useMutation({
    mutationFn: async (input: { secret: string; description: string; expiresAt?: string }) => {
      const document = (await ok(
        api.POST("/api/v2/invitation-acceptances", {
          body: {
            data: {
              type: "invitation-acceptances",
              attributes: {
                secret: input.secret,
                "token-description": input.description,
                ...(input.expiresAt ? { "token-expires-at": input.expiresAt } : {}),
              },
            },
          },
        }),
      )) as { data: { attributes: { secret: string } } };
      return document.data.attributes.secret;
    },
  });
}
