/**
 * @module router
 * A small history router. (`@lit-labs/router` needs `URLPattern`, which older iPhones lack;
 * seven readers in ten are on a phone.) Same-origin link clicks anywhere — shadow DOM
 * included — become history entries; the app re-renders on every change.
 */
export interface Match {
  name: string
  params: Record<string, string>
  query: URLSearchParams
}

const compiled = new Map<string, { re: RegExp; names: string[] }>()

function compile(path: string): { re: RegExp; names: string[] } {
  let c = compiled.get(path)
  if (!c) {
    const names: string[] = []
    const re = new RegExp(
      '^' +
        path.replace(/\/:(\w+)|[.*+?^${}()|[\]\\]/g, (m, name: string | undefined) => {
          if (!name) return `\\${m}`
          names.push(name)
          return '/([^/]+)'
        }) +
        '/?$',
    )
    c = { re, names }
    compiled.set(path, c)
  }
  return c
}

/** The route (by name) that matches the current location, or `not-found`. */
export function match(routes: Record<string, string>): Match {
  const { pathname, search } = window.location
  for (const [name, path] of Object.entries(routes)) {
    const { re, names } = compile(path)
    const m = re.exec(pathname)
    if (m)
      return {
        name,
        params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])),
        query: new URLSearchParams(search),
      }
  }
  return { name: 'not-found', params: {}, query: new URLSearchParams(search) }
}

export function navigate(url: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  window.dispatchEvent(new Event('route-changed'))
  window.scrollTo(0, 0)
}

/** Starts listening: link clicks and back/forward. */
export function startRouter(): void {
  window.addEventListener('popstate', () => window.dispatchEvent(new Event('route-changed')))
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const a = e.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement)
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return
    if (/^\/(api|opds|oai|share|setup|news\.atom|ld|sparql)(\/|$)/.test(a.pathname)) return
    e.preventDefault()
    navigate(a.pathname + a.search + a.hash)
  })
}
