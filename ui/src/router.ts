// Hash routes (`#/article/<id>`): the server only serves `/`, and every page
// can be bookmarked, shared and reached with the browser's back button.

export interface Route {
  /** First path segment: "", "search", "article", … */
  name: string;
  /** The rest of the path, decoded (an article, entity or story id). */
  arg: string;
  params: URLSearchParams;
}

export function current(): Route {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [path = "/", query = ""] = hash.split("?", 2);
  const [, name = "", ...rest] = path.split("/");
  let arg = rest.join("/");
  try {
    arg = decodeURIComponent(arg);
  } catch {
    // A malformed escape: the id as written, which the API then refuses.
  }
  return { name, arg, params: new URLSearchParams(query) };
}

/** Navigates to a route (`/search?q=…`). */
export function go(route: string): void {
  window.location.hash = route;
}
