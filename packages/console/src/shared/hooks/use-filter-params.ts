// Shared hook: a list page's filters and page number kept in the URL's search parameters.
import { useSearchParams } from "react-router";

/**
 * The URL's search parameters, the current page (1 when absent) and `set(name, value)`: an empty
 * value removes the parameter, and changing any filter other than `page` goes back to page 1.
 */
export function useFilterParams() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page") ?? "1"));
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== "page") next.delete("page");
    setParams(next);
  };
  return { params, setParams, page, set };
}
