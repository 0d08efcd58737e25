/**
 * @module page-title
 * `document.title` as "<page> · <library>": the shell names each route's page and the library
 * (from its profile); a page about one thing (a record) names it once its data is in. Kept
 * apart from the shell so pages can set it without importing the app.
 */

/** A page names what it shows (a record's title); the shell adds the library's name. */
export function setPageTitle(page: string): void {
  window.dispatchEvent(new CustomEvent<string>('page-title', { detail: page }))
}

/** The document title: the page, then the library (the library alone on the home page). */
export function composeTitle(page: string | undefined, library: string): string {
  return page ? `${page} · ${library}` : library
}
