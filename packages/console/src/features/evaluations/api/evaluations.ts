// Evaluations, API: the history of policy evaluations (filters: entity, outcome, resource, policy) and one in full.
import { useQuery } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

/** Filters of the evaluation list. */
export interface EvaluationFilters {
  readonly entityType?: string;
  readonly outcome?: string;
  readonly resource?: string;
  /** A policy's id: only evaluations that evaluated it. */
  readonly policy?: string;
  readonly page?: number;
}

/** A page of evaluations, newest first. */
export function useEvaluations(filters: EvaluationFilters) {
  return useQuery({
    queryKey: ["evaluations", currentOrganization(), filters],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/policy-evaluations", {
          params: {
            path: { org: currentOrganization() },
            query: {
              "page[size]": 25,
              "page[number]": filters.page ?? 1,
              ...(filters.entityType ? { "filter[entity-type]": filters.entityType } : {}),
              ...(filters.outcome ? { "filter[outcome]": filters.outcome } : {}),
              ...(filters.resource ? { "filter[resource]": filters.resource } : {}),
              ...(filters.policy ? { "filter[policy]": filters.policy } : {}),
            },
          },
        }),
      ),
  });
}

/** One evaluation. */
export function useEvaluation(id: string) {
  return useQuery({
    queryKey: ["evaluation", id],
    queryFn: () => ok(api.GET("/api/v2/policy-evaluations/{id}", { params: { path: { id } } })),
  });
}
