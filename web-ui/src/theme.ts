/**
 * @module theme
 * The library's theme colours on the page, from its profile (`GET /api/library`).
 */
import type { LibraryProfile } from '@shulin/protocol'

/**
 * The library's colours on the whole page: every component's `--ink` and `--accent` read these
 * (styles.ts); the browser's toolbar follows `theme-color`. The node refused any pair under AA.
 */
export function applyTheme(theme: LibraryProfile['theme']): void {
  const root = document.documentElement.style
  if (theme) {
    root.setProperty('--theme-ink', theme.ink)
    root.setProperty('--theme-accent', theme.accent)
  } else {
    root.removeProperty('--theme-ink')
    root.removeProperty('--theme-accent')
  }
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', theme?.ink ?? '#1f3a5f')
}
