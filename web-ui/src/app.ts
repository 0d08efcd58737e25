/**
 * @module app
 * The shell: header with the search box, language switch and account link; the page for the
 * current route; a bottom tab bar on phones. Pages load on demand (the reader's EPUB engine
 * only when a book is opened).
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit'
import { deviceMode, modePage, modePageModule, modeRoutes, modeShell } from './modes/device-mode.js'
import { base } from './styles.js'
import { locale, setLocale, t, type Locale } from './i18n/index.js'
import { api, loadSession, session } from './api.js'
import type { LibraryProfile } from '@shulin/protocol'
import type { IconNode } from 'lucide'
import { match, startRouter, type Match } from './router.js'
import { composeTitle, routeTitle } from './page-title.js'
import { applyTheme } from './theme.js'
import { nextTask } from './early.js'
import './components/search-box.js'
import './components/inbox-badge.js'
import { icon } from './components/icon.js'
import { switchLabel } from './components/language-switch.js'
// One file per icon, so the shell carries these six and not the whole set.
import House from 'lucide/dist/esm/icons/house.mjs'
import Search from 'lucide/dist/esm/icons/search.mjs'
import GraduationCap from 'lucide/dist/esm/icons/graduation-cap.mjs'
import CalendarDays from 'lucide/dist/esm/icons/calendar-days.mjs'
import LibraryBig from 'lucide/dist/esm/icons/library-big.mjs'
import CircleUser from 'lucide/dist/esm/icons/circle-user-round.mjs'
import Languages from 'lucide/dist/esm/icons/languages.mjs'

const routes = {
  home: '/',
  search: '/search',
  catalog: '/catalog',
  resource: '/r/:id',
  courses: '/courses',
  course: '/courses/:id',
  collection: '/collections/:id',
  lecture: '/lectures/:id',
  entity: '/entity/:kind/:id',
  activities: '/activities',
  activity: '/activities/:id',
  entry: '/activities/:id/entries/:entry',
  live: '/live',
  liveWatch: '/live/:id',
  read: '/read/:id',
  signin: '/signin',
  register: '/register',
  forgot: '/forgot',
  me: '/me',
  shelf: '/shelf',
  inbox: '/me/inbox',
  card: '/me/card',
  notify: '/me/notify',
  news: '/news',
  newsArticle: '/news/:id',
  myEntries: '/me/entries',
  staff: '/staff',
  staffTab: '/staff/:tab',
  ...modeRoutes,
}

/** Each page's module, loaded when first shown. */
const pages: Record<string, () => Promise<unknown>> = {
  home: () => import('./pages/reader/home.js'),
  search: () => import('./pages/reader/search.js'),
  catalog: () => import('./pages/reader/catalog.js'),
  resource: () => import('./pages/reader/resource.js'),
  read: () => import('./pages/reader/read.js'),
  courses: () => import('./pages/reader/courses.js'),
  course: () => import('./pages/reader/courses.js'),
  collection: () => import('./pages/reader/collection.js'),
  lecture: () => import('./pages/reader/lecture.js'),
  entity: () => import('./pages/reader/entity.js'),
  activities: () => import('./pages/reader/activities.js'),
  activity: () => import('./pages/reader/activities.js'),
  entry: () => import('./pages/reader/entries.js'),
  myEntries: () => import('./pages/reader/entries.js'),
  live: () => import('./pages/reader/live-list.js'),
  liveWatch: () => import('./pages/reader/live-watch.js'),
  signin: () => import('./pages/reader/sign-in.js'),
  register: () => import('./pages/reader/register.js'),
  forgot: () => import('./pages/reader/forgot.js'),
  me: () => import('./pages/reader/me.js'),
  shelf: () => import('./pages/reader/shelf.js'),
  inbox: () => import('./pages/reader/inbox.js'),
  card: () => import('./pages/reader/card.js'),
  notify: () => import('./pages/reader/notify-settings.js'),
  news: () => import('./pages/reader/news.js'),
  newsArticle: () => import('./pages/reader/news.js'),
  staff: () => import('./pages/staff/staff.js'),
  staffTab: () => import('./pages/staff/staff.js'),
}

/** The module of the page `name` names (in a device mode, the mode's own page where it has one). */
const moduleOf = (name: string): (() => Promise<unknown>) | undefined => modePageModule(name) ?? pages[name]

/** Asks every Lit element under `root`, shadow roots included, to render again. */
function relabel(root: ParentNode): void {
  for (const el of root.querySelectorAll('*')) {
    if (el instanceof LitElement) el.requestUpdate()
    if (el.shadowRoot) relabel(el.shadowRoot)
  }
}

export class ShulinApp extends LitElement {
  static override properties = { route: { state: true }, ready: { state: true }, library: { state: true } }
  route: Match = match(routes)
  ready = false
  /** The library's name and logo as its staff set them (the app's name until they load). */
  library: LibraryProfile | null = null
  #loaded = new Set<string>()
  /** What the current page is called (the route's name, or what the page said it shows). */
  #pageTitle: string | undefined
  #titlePath: string | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    startRouter()
    const update = () => this.#show()
    window.addEventListener('route-changed', update)
    // Pages render their words when they update: every element re-renders in the new language.
    window.addEventListener('locale-changed', () => (this.requestUpdate(), relabel(this.renderRoot)))
    window.addEventListener('session-changed', () => this.requestUpdate())
    // The console saved a new name or logo: the header follows without a reload.
    window.addEventListener('library-changed', () => void this.#loadLibrary())
    window.addEventListener('page-title', (e) => {
      this.#pageTitle = (e as CustomEvent<string>).detail
      this.#applyTitle()
    })
    window.addEventListener('locale-changed', () => {
      this.#pageTitle = routeTitle(this.route.name) ?? this.#pageTitle
      this.#applyTitle()
    })
    if (!this.id) this.id = 'main'
    void this.#loadLibrary()
    // The first page's module loads beside the session, not after it (one round trip fewer
    // before the page can ask for its data; a slow 4G round trip is ~150 ms).
    const first = moduleOf(this.route.name)
    void Promise.all([loadSession(), first?.().catch(() => undefined)]).then(() => this.#show())
  }

  /**
   * The first render waits for a new task (Lit's documented way to time updates): evaluating the
   * app's modules and drawing the shell are then two tasks, not one long one (on a mid-range
   * phone that one task was most of the home page's total blocking time).
   */
  protected override async scheduleUpdate(): Promise<void> {
    if (!this.hasUpdated) await nextTask()
    super.scheduleUpdate()
  }

  /**
   * The skip link's target is this shadow root's <main>, which `#main` cannot reach from the
   * document (and the router would take the click for a new page): focus moves there itself.
   * The host carries the id, so the link's fragment still names an element of the document.
   */
  readonly #skipToMain = (e: Event): void => {
    e.preventDefault()
    this.renderRoot.querySelector('main')?.focus()
  }

  async #loadLibrary(): Promise<void> {
    try {
      this.library = await api<LibraryProfile>('/api/library')
      this.#applyTitle()
      applyTheme(this.library.theme)
    } catch {
      // The header keeps the app's name; nothing else depends on it.
    }
  }

  async #show(): Promise<void> {
    const route = match(routes)
    const load = moduleOf(route.name)
    if (load && !this.#loaded.has(route.name)) {
      await load()
      this.#loaded.add(route.name)
    }
    // A new address is a new page (a query change on the same page keeps what the page named).
    if (location.pathname !== this.#titlePath) this.#pageTitle = routeTitle(route.name)
    this.#titlePath = location.pathname
    this.route = route
    this.ready = true
    this.#applyTitle()
    // The new page is in the document only now (its module may have loaded for a while after the
    // address changed): a TV's shell waits for this to put the focus on it, not on the page left.
    void this.updateComplete.then(() => window.dispatchEvent(new Event('page-shown')))
  }

  #applyTitle(): void {
    document.title = composeTitle(this.#pageTitle, this.library?.network ?? this.library?.name ?? t('appName'))
  }

  #page(): TemplateResult | typeof nothing {
    if (!this.ready) return html`<p class="muted" role="status">${t('loading')}</p>`
    const { name, params, query } = this.route
    const inMode = modePage(name)
    if (inMode) return inMode
    switch (name) {
      case 'home':
        return html`<shulin-home></shulin-home>`
      case 'search':
        return html`<shulin-search .query=${query}></shulin-search>`
      case 'catalog':
        return html`<shulin-catalog></shulin-catalog>`
      case 'resource':
        return html`<shulin-resource .resourceId=${params.id ?? ''}></shulin-resource>`
      case 'courses':
        return html`<shulin-courses-page></shulin-courses-page>`
      case 'course':
        return html`<shulin-course-page .courseId=${params.id ?? ''}></shulin-course-page>`
      case 'collection':
        return html`<shulin-collection-page .collectionId=${params.id ?? ''}></shulin-collection-page>`
      case 'lecture':
        return html`<shulin-lecture-page .lectureId=${params.id ?? ''} .query=${query}></shulin-lecture-page>`
      case 'entity':
        return html`<shulin-entity-page .kind=${params.kind ?? ''} .entityId=${params.id ?? ''}></shulin-entity-page>`
      case 'activities':
        return html`<shulin-activities-page></shulin-activities-page>`
      case 'activity':
        return html`<shulin-activity-page .activityId=${params.id ?? ''}></shulin-activity-page>`
      case 'entry':
        return html`<shulin-entry-page .activityId=${params.id ?? ''} .entryId=${params.entry ?? ''}></shulin-entry-page>`
      case 'myEntries':
        return html`<shulin-my-entries-page></shulin-my-entries-page>`
      case 'live':
        return html`<shulin-live-list></shulin-live-list>`
      case 'liveWatch':
        return html`<shulin-live-watch .liveId=${params.id ?? ''}></shulin-live-watch>`
      case 'read':
        return html`<shulin-read .resourceId=${params.id ?? ''}></shulin-read>`
      case 'signin':
        return html`<shulin-sign-in .next=${query.get('next') ?? '/'} .reset=${query.has('reset')}></shulin-sign-in>`
      case 'forgot':
        return html`<shulin-forgot></shulin-forgot>`
      case 'register':
        return html`<shulin-register></shulin-register>`
      case 'me':
        return html`<shulin-me></shulin-me>`
      case 'shelf':
        return html`<shulin-shelf-page></shulin-shelf-page>`
      case 'inbox':
        return html`<shulin-inbox-page></shulin-inbox-page>`
      case 'card':
        return html`<shulin-card-page></shulin-card-page>`
      case 'notify':
        return html`<shulin-notify-settings></shulin-notify-settings>`
      case 'news':
        return html`<shulin-news-page></shulin-news-page>`
      case 'newsArticle':
        return html`<shulin-news-article .newsId=${params.id ?? ''}></shulin-news-article>`
      case 'staff':
      case 'staffTab':
        return html`<shulin-staff .tab=${params.tab ?? 'records'}></shulin-staff>`
      default:
        return html`<p role="alert">${t('notFound')} <a href="/">${t('navHome')}</a></p>`
    }
  }

  override render() {
    const reading = this.route.name === 'read'
    if (reading) return this.#page()
    const mode = deviceMode()
    if (mode) return modeShell(mode, this.library?.name ?? t('appName'), this.#page())
    const me = session.current
    const tab = (href: string, glyph: IconNode, label: string, active: boolean) =>
      html`<a href=${href} aria-current=${active ? 'page' : 'false'}>${icon(glyph)}<span>${label}</span></a>`
    const other: Locale = locale() === 'zh-CN' ? 'en' : 'zh-CN'
    return html`
      <a class="skip" href="#main" @click=${this.#skipToMain}>${t('skipToContent')}</a>
      <header>
        <a class="brand" href="/">${this.library?.logoUrl ? html`<img class="logo" src=${this.library.logoUrl} alt="" />` : nothing}${
          // The hub's portal is the network's: its name first, the hub library's under it.
          this.library?.network
            ? html`<span class="names"><span class="name">${this.library.network}</span><span class="library">${this.library.name}</span></span>`
            : html`<span class="name">${this.library?.name ?? t('appName')}</span>`
        }</a>
        ${me ? html`<shulin-inbox-badge class="inbox"></shulin-inbox-badge>` : nothing}
        <button class="secondary lang-phone" @click=${() => setLocale(other)}>${icon(Languages, 18)}${switchLabel(other)}</button>
        <shulin-search-box class="header-search" .value=${this.route.name === 'search' ? (this.route.query.get('q') ?? '') : ''}></shulin-search-box>
        <nav class="top" aria-label=${t('navHome')}>
          <a href="/courses">${t('navCourses')}</a>
          <a href="/activities">${t('navActivities')}</a>
          <a href="/live">${t('navLive')}</a>
          ${session.isStaff() ? html`<a href="/staff">${t('navStaff')}</a>` : nothing}
          ${me ? html`<a href="/me">${t('navMe')}</a>` : html`<a href="/signin">${t('signIn')}</a>`}
          <button class="secondary lang" @click=${() => setLocale(other)}>${switchLabel(other)}</button>
        </nav>
      </header>
      <main tabindex="-1">${this.#page()}</main>
      <nav class="tabs" aria-label=${t('navHome')}>
        ${tab('/', House, t('navHome'), this.route.name === 'home')} ${tab('/search', Search, t('navSearch'), this.route.name === 'search')}
        ${tab('/courses', GraduationCap, t('navCourses'), ['courses', 'course', 'lecture', 'live', 'liveWatch'].includes(this.route.name))}
        ${tab('/activities', CalendarDays, t('navActivities'), ['activities', 'activity', 'entry', 'myEntries'].includes(this.route.name))}
        ${tab('/shelf', LibraryBig, t('navShelf'), this.route.name === 'shelf')}
        ${
          me
            ? tab('/me', CircleUser, t('navMe'), ['me', 'inbox', 'card', 'notify'].includes(this.route.name))
            : tab('/signin', CircleUser, t('signIn'), ['signin', 'register', 'forgot'].includes(this.route.name))
        }
      </nav>
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; min-height: 100vh; background: var(--paper); padding-bottom: 72px; }
      .skip { position: absolute; left: -999px; }
      .skip:focus { left: 8px; top: 8px; background: #fff; padding: 8px; z-index: 10; }
      header {
        display: grid; grid-template-columns: minmax(0, 1fr) auto auto; gap: 8px 12px; align-items: center;
        padding: 10px 16px; background: var(--ink); color: #fff; position: sticky; top: 0; z-index: 5;
      }
      .brand { color: #fff; font-size: 1.4rem; font-weight: 700; text-decoration: none; letter-spacing: 0.1em; display: inline-flex; align-items: center; gap: 8px; white-space: nowrap; }
      /* A logo, a long name, the inbox and the language switch on a 390 px phone: the name gives way (…), never the page's width. */
      .brand { min-width: 0; overflow: hidden; }
      .brand .name { min-width: 0; }
      .brand .logo { height: 32px; width: auto; }
      .brand .name { overflow: hidden; text-overflow: ellipsis; max-width: 40vw; }
      .brand .names { display: grid; line-height: 1.25; }
      /* A network's name is often long: two lines in a smaller size, most of a phone's width. */
      .brand .names .name { font-size: 1.15rem; letter-spacing: 0.04em; max-width: 68vw; }
      .brand .library { font-size: 0.8rem; font-weight: 400; letter-spacing: 0.05em; overflow: hidden; text-overflow: ellipsis; max-width: 68vw; }
      .header-search { grid-column: 1 / -1; }
      .inbox { justify-self: end; color: #fff; }
      nav.top { display: none; }
      main { padding: 16px; max-width: 1100px; margin: 0 auto; outline: none; }
      nav.tabs {
        position: fixed; bottom: 0; left: 0; right: 0; display: grid; grid-template-columns: repeat(6, 1fr);
        background: #fff; border-top: 1px solid var(--line); padding-bottom: env(safe-area-inset-bottom);
      }
      /* Six tabs on a 360–390 px phone: the label scales so “Activities” fits whole. */
      nav.tabs a { min-height: 56px; display: grid; place-items: center; align-content: center; gap: 2px; text-decoration: none; color: var(--muted); font-size: min(0.85rem, 3.4vw); white-space: nowrap; }
      nav.tabs .icon { width: 22px; height: 22px; }
      /* The language switch stays in reach on a phone, where the top links are hidden. */
      button.lang-phone { grid-column: 3; display: inline-flex; align-items: center; gap: 4px; min-height: 40px; padding: 0 10px; color: #fff; border-color: rgb(255 255 255 / 0.7); background: transparent; }
      nav.tabs a[aria-current='page'] { color: var(--ink); font-weight: 700; }
      @media (min-width: 800px) {
        :host { padding-bottom: 0; }
        header { grid-template-columns: auto 1fr auto auto; }
        .inbox { order: 3; }
        .header-search { grid-column: auto; }
        nav.top { display: flex; gap: 16px; align-items: center; }
        nav.top a { color: #fff; }
        nav.top .lang { color: #fff; border-color: #fff; }
        nav.tabs { display: none; }
        button.lang-phone { display: none; }
      }
      /* A large touch screen in the library: bigger text, wider pages. */
      @media (min-width: 1600px) {
        main { max-width: 1500px; }
      }
    `,
  ]
}
customElements.define('shulin-app', ShulinApp)
