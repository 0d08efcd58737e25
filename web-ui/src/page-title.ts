/**
 * @module page-title
 * `document.title` as "<page> · <library>": the shell names each route's page and the library
 * (from its profile); a page about one thing (a record) names it once its data is in. Kept
 * apart from the shell so pages can set it without importing the app.
 */
import { ft } from './i18n/face.js'

/** A page names what it shows (a record's title); the shell adds the library's name. */
export function setPageTitle(page: string): void {
  window.dispatchEvent(new CustomEvent<string>('page-title', { detail: page }))
}

/** The document title: the page, then the library (the library alone on the home page). */
export function composeTitle(page: string | undefined, library: string): string {
  return page ? `${page} · ${library}` : library
}

/** Each route's page name for the document title (pages about one thing name it themselves). */
export function routeTitle(name: string): string | undefined {
  const names: Record<string, Parameters<typeof ft>[0]> = {
    search: 'pageSearch',
    catalog: 'pageCatalog',
    courses: 'pageCourses',
    activities: 'pageActivities',
    live: 'pageLive',
    news: 'pageNews',
    signin: 'pageSignIn',
    register: 'pageRegister',
    me: 'pageMe',
    shelf: 'pageShelf',
    staff: 'pageStaff',
    staffTab: 'pageStaff',
  }
  const key = names[name]
  return key ? ft(key) : undefined
}
