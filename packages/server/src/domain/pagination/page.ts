// Domain layer, pagination: every list takes a page request and returns one page and the total.
import { DomainError } from "../domain-error.js";

/** Which page of a list to return; pages are numbered from 1. */
export interface PageRequest {
  readonly pageNumber: number;
  readonly pageSize: number;
}

/** One page of a list, with the total number of items across all pages. */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
}

/** The largest page size a list accepts. */
export const MAX_PAGE_SIZE = 100;

/** The largest page number a list accepts: any list is far shorter, and the SQL offset stays exact. */
export const MAX_PAGE_NUMBER = 1_000_000_000;

/** The page returned when a caller asks for none in particular. */
export const DEFAULT_PAGE: PageRequest = { pageNumber: 1, pageSize: 20 };

/** A page request with its size capped at MAX_PAGE_SIZE, as HCP Terraform caps larger sizes silently. */
export function cappedPageRequest(pageNumber: number, pageSize: number): PageRequest {
  return { pageNumber, pageSize: Math.min(pageSize, MAX_PAGE_SIZE) };
}

/** Checks a page request and returns its SQL limit and offset. */
export function pageWindow(page: PageRequest | undefined): { limit: number; offset: number } {
  const { pageNumber, pageSize } = page ?? DEFAULT_PAGE;
  if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > MAX_PAGE_NUMBER) {
    throw new DomainError(
      "invalid",
      `page number must be a whole number from 1 to ${MAX_PAGE_NUMBER}, got ${pageNumber}`,
      { field: "pageNumber" },
    );
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new DomainError(
      "invalid",
      `page size must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`,
      { field: "pageSize" },
    );
  }
  return { limit: pageSize, offset: (pageNumber - 1) * pageSize };
}
