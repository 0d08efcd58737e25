/**
 * @module modes/device-mode
 * A device's display mode, kept on the device: the experience zone's touch-screen KIOSK
 * (portrait 1080×1920) or the TV (1920×1080, driven by a remote's arrow keys). Opening
 * `/kiosk` or `/tv` once puts the device in that mode (staff do it once when they set the
 * screen up); `/mode/off` takes it out. `/kiosk?idle=SECONDS` sets how long an untouched
 * kiosk waits before it goes back to its start (default 120 s), and `/kiosk?signin=1` lets
 * readers sign in on it (by default a shared screen has no sign-in).
 */
import { html, type TemplateResult } from 'lit'
import { api, session } from '../api.js'
import { navigate } from '../router.js'

export type DeviceMode = 'kiosk' | 'tv'

const modeKey = 'shulin.mode'
const kioskKey = 'shulin.kiosk'

export interface KioskSettings {
  /** Seconds without a touch before the kiosk goes back to its start, 3–3600. @default 120 */
  idleSeconds: number
  /** Whether readers may sign in on it. @default false */
  signIn: boolean
}
const kioskDefaults: KioskSettings = { idleSeconds: 120, signIn: false }

/**
 * The settings from what the device kept, or from an entry URL: whatever is out of range or
 * unreadable takes the default (web-ui carries no zod; this is the one place they are read).
 */
function readKiosk(raw: { idleSeconds?: unknown; signIn?: unknown }): KioskSettings {
  const idle = raw.idleSeconds
  return {
    idleSeconds:
      typeof idle === 'number' && Number.isInteger(idle) && idle >= 3 && idle <= 3600
        ? idle
        : kioskDefaults.idleSeconds,
    signIn: typeof raw.signIn === 'boolean' ? raw.signIn : kioskDefaults.signIn,
  }
}

/** The routes the modes add to the app's. */
export const modeRoutes = { kiosk: '/kiosk', tv: '/tv', modeOff: '/mode/off' }

/** Their pages' modules, loaded when first shown (and the mode's home at `/`). */
export const modePages: Record<string, () => Promise<unknown>> = {
  kiosk: () => import('./kiosk-home.js'),
  tv: () => import('./tv-home.js'),
}

export function deviceMode(): DeviceMode | null {
  const m = localStorage.getItem(modeKey)
  return m === 'kiosk' || m === 'tv' ? m : null
}

export function kioskSettings(): KioskSettings {
  try {
    const kept: unknown = JSON.parse(localStorage.getItem(kioskKey) ?? '{}')
    return readKiosk(typeof kept === 'object' && kept ? kept : {})
  } catch {
    return kioskDefaults
  }
}

/** The address that puts a device in a mode (what the console shows and opens). */
export function entryUrl(mode: DeviceMode, kiosk: KioskSettings = kioskDefaults): string {
  if (mode === 'tv') return '/tv'
  return `/kiosk?idle=${kiosk.idleSeconds}&signin=${kiosk.signIn ? 1 : 0}`
}

/** Where the mode's home is: a reset and the header's home button go there. */
export const modeHome = (m: DeviceMode): string => `/${m}`

/**
 * Reads the entry URLs: called at start and on every route change, before the app renders, so
 * the first render of `/kiosk` is already in the mode.
 */
function syncFromLocation(): void {
  const { pathname, search } = window.location
  const path = pathname.replace(/\/$/, '') || '/'
  if (path === '/mode/off') {
    localStorage.removeItem(modeKey)
    localStorage.removeItem(kioskKey)
    // A fresh load: the TV's arrow keys and the kiosk's idle watch go with the page.
    location.replace('/')
    return
  }
  if (path !== '/kiosk' && path !== '/tv') return
  const mode: DeviceMode = path === '/kiosk' ? 'kiosk' : 'tv'
  localStorage.setItem(modeKey, mode)
  if (mode === 'kiosk') {
    const q = new URLSearchParams(search)
    const prev = kioskSettings()
    const idle = q.has('idle') ? Number(q.get('idle')) : prev.idleSeconds
    const next = readKiosk({
      idleSeconds: Number.isInteger(idle) ? Math.min(3600, Math.max(3, idle)) : prev.idleSeconds,
      signIn: q.has('signin') ? q.get('signin') === '1' : prev.signIn,
    })
    localStorage.setItem(kioskKey, JSON.stringify(next))
  }
  applyMode()
}

let idleTimer: ReturnType<typeof setTimeout> | undefined
let idleListening = false
const activity = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'input'] as const

function stopIdle(): void {
  clearTimeout(idleTimer)
  idleTimer = undefined
  if (idleListening) for (const e of activity) document.removeEventListener(e, restartIdle, true)
  idleListening = false
}

function restartIdle(): void {
  clearTimeout(idleTimer)
  idleTimer = setTimeout(() => (mediaPlaying() ? restartIdle() : void resetKiosk()), kioskSettings().idleSeconds * 1000)
}

/**
 * Whether a video or a recording is playing anywhere on the page, shadow roots included: a
 * visitor watching a lecture touches nothing and must not be sent back to the start. (Media
 * events do not leave a shadow root, so the page is looked through when the time is up.)
 */
function mediaPlaying(root: Document | ShadowRoot = document): boolean {
  for (const el of root.querySelectorAll('*')) {
    if (el instanceof HTMLMediaElement && !el.paused && !el.ended) return true
    if (el.shadowRoot && mediaPlaying(el.shadowRoot)) return true
  }
  return false
}

/**
 * The next person at a shared screen starts afresh: back to the kiosk's start, its letters
 * cleared, and anyone who signed in signed out.
 */
async function resetKiosk(): Promise<void> {
  if (session.current) {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => {})
    session.set(null)
  }
  window.dispatchEvent(new Event('kiosk-reset'))
  if (location.pathname !== '/kiosk' || location.search) navigate('/kiosk')
  restartIdle()
}

/** Marks the document (styles key on it) and starts the kiosk's idle watch or the TV's arrow keys. */
function applyMode(): void {
  const mode = deviceMode()
  if (mode) {
    document.documentElement.setAttribute('data-mode', mode)
    void import('./mode-shell.js')
  }
  if (mode === 'kiosk') {
    if (!idleListening)
      for (const e of activity) document.addEventListener(e, restartIdle, { capture: true, passive: true })
    idleListening = true
    restartIdle()
  } else stopIdle()
  if (mode === 'tv') void import('./spatial-nav.js').then((m) => m.startSpatialNav())
}

syncFromLocation()
applyMode()
window.addEventListener('route-changed', syncFromLocation)
window.addEventListener('popstate', syncFromLocation)

const signInRoutes = ['signin', 'register', 'forgot']
const signInBarred = (name: string): boolean =>
  deviceMode() === 'kiosk' && !kioskSettings().signIn && signInRoutes.includes(name)

/**
 * The page for a route in the current mode, or undefined where the app's own page shows:
 * the mode's home at `/` and at its entry URL.
 */
export function modePage(name: string): TemplateResult | undefined {
  const mode = deviceMode()
  if (name === 'modeOff') return html``
  // A shared screen has no sign-in unless its staff allowed it (a record's 加入书架 leads here).
  if (signInBarred(name)) return html`<shulin-kiosk-no-sign-in></shulin-kiosk-no-sign-in>`
  if (name === 'kiosk' || (name === 'home' && mode === 'kiosk')) return html`<shulin-kiosk-home></shulin-kiosk-home>`
  if (name === 'tv' || (name === 'home' && mode === 'tv')) return html`<shulin-tv-home></shulin-tv-home>`
  return undefined
}

/** The page module a route needs in the current mode (the mode's home at `/`). */
export function modePageModule(name: string): (() => Promise<unknown>) | undefined {
  const mode = deviceMode()
  if (signInBarred(name)) return modePages.kiosk
  return modePages[name] ?? (name === 'home' && mode ? modePages[mode] : undefined)
}

/** The app's page inside the mode's shell (its own header; no tab bar, no sign-in unless allowed). */
export function modeShell(mode: DeviceMode, libraryName: string, page: unknown): TemplateResult {
  return html`<shulin-mode-shell .mode=${mode} .libraryName=${libraryName} .signIn=${mode === 'kiosk' && kioskSettings().signIn}>${page}</shulin-mode-shell>`
}
