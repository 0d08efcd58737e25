/**
 * @module pages/staff/staff
 * The staff console's tabs: records (find, publish, withdraw, edit), columns and topics
 * (create, order their items by dragging or with the keyboard), readers (find, disable,
 * enable, import an ILS CSV export with a report of refused rows), and the node.
 * Each account sees the tabs its roles may use: a judge only judging (the others answer 403 to
 * a judge), a moderator only the live tab (its rooms and the keyword filter).
 */
import { LitElement, css, html, nothing } from 'lit'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { session } from '../../api.js'
import { navigate } from '../../router.js'

const tabs = [
  ['records', 'staffRecords'],
  ['collections', 'staffCollections'],
  ['home', 'staffHome'],
  ['readers', 'staffReaders'],
  ['upload', 'staffUpload'],
  ['courses', 'staffCourses'],
  ['activities', 'staffActivities'],
  ['news', 'staffNews'],
  ['judging', 'staffJudging'],
  ['desk', 'staffDesk'],
  ['live', 'staffLive'],
  ['channels', 'staffChannels'],
  ['network', 'staffNetwork'],
  ['stats', 'staffStats'],
  ['node', 'staffNode'],
  ['sms', 'staffSms'],
  ['devices', 'staffDevices'],
] as const
type Tab = (typeof tabs)[number][0]

/**
 * Tabs an account without the admin or librarian role may use: a moderator only the live tab
 * (its rooms and the keyword filter), a judge only judging. The node refuses the rest anyway;
 * the console does not show them.
 */
const narrowTabs: Partial<Record<Tab, 'moderator' | 'judge'>> = { live: 'moderator', judging: 'judge' }

/** The tabs this account can use, in the console's order (admins and librarians: all). */
function tabsFor(): Tab[] {
  if (session.may('staff')) return tabs.map(([id]) => id)
  return tabs
    .map(([id]) => id)
    .filter((id) => {
      const need = narrowTabs[id]
      return need !== undefined && session.may(need)
    })
}

const loaders: Record<Tab, () => Promise<unknown>> = {
  records: () => import('./records.js'),
  collections: () => import('./collections.js'),
  home: () => import('./home-layout.js'),
  readers: () => import('./readers.js'),
  upload: () => import('./upload.js'),
  courses: () => import('./courses.js'),
  activities: () => import('./activities.js'),
  news: () => import('./news.js'),
  judging: () => import('./activity-desk.js'),
  desk: () => import('./activity-desk.js'),
  live: () => import('./live.js'),
  channels: () => import('./channels.js'),
  network: () => import('./network.js'),
  stats: () => import('./stats.js'),
  node: () => import('./node.js'),
  sms: () => import('./sms.js'),
  devices: () => import('./devices.js'),
}

export class StaffPage extends LitElement {
  static override properties = { tab: {}, ready: { state: true } }
  tab: Tab = 'records'
  ready = false

  override connectedCallback(): void {
    super.connectedCallback()
    if (!session.isStaff()) navigate(`/signin?next=${encodeURIComponent(location.pathname)}`, { replace: true })
  }

  get #allowed(): Tab[] {
    return tabsFor()
  }

  override willUpdate(changed: Map<string, unknown>): void {
    const allowed = this.#allowed
    if (changed.has('tab') && allowed.length && !allowed.includes(this.tab)) {
      // A tab this account may not use (a judge at /staff): its own first tab instead.
      navigate(`/staff/${allowed[0]}`, { replace: true })
      this.tab = allowed[0]!
    }
    if (changed.has('tab')) {
      this.ready = false
      void (loaders[this.tab] ?? loaders.records)().then(() => (this.ready = true))
    }
  }

  #panel() {
    if (!this.ready) return nothing
    switch (this.tab) {
      case 'collections':
        return html`<shulin-staff-collections></shulin-staff-collections>`
      case 'home':
        return html`<shulin-staff-home-layout></shulin-staff-home-layout>`
      case 'readers':
        return html`<shulin-staff-readers></shulin-staff-readers>`
      case 'upload':
        return html`<shulin-staff-upload></shulin-staff-upload>`
      case 'courses':
        return html`<shulin-staff-courses></shulin-staff-courses>`
      case 'activities':
        return html`<shulin-staff-activities></shulin-staff-activities>`
      case 'news':
        return html`<shulin-staff-news></shulin-staff-news>`
      case 'judging':
        return html`<shulin-staff-judging></shulin-staff-judging>`
      case 'desk':
        return html`<shulin-staff-desk></shulin-staff-desk>`
      case 'live':
        return html`<shulin-staff-live></shulin-staff-live>`
      case 'channels':
        return html`<shulin-staff-channels></shulin-staff-channels>`
      case 'network':
        return html`<shulin-staff-network></shulin-staff-network>`
      case 'stats':
        return html`<shulin-staff-stats></shulin-staff-stats>`
      case 'node':
        return html`<shulin-staff-node></shulin-staff-node>`
      case 'sms':
        return html`<shulin-staff-sms></shulin-staff-sms>`
      case 'devices':
        return html`<shulin-staff-devices></shulin-staff-devices>`
      default:
        return html`<shulin-staff-records></shulin-staff-records>`
    }
  }

  override render() {
    const allowed = this.#allowed
    if (!allowed.length) return html`<p class="muted">${t('staffNothingForRole')}</p>`
    return html`
      <nav aria-label=${t('navStaff')}>
        ${tabs.filter(([id]) => allowed.includes(id)).map(([id, label]) => html`<a href="/staff/${id}" aria-current=${this.tab === id ? 'page' : 'false'}>${t(label)}</a>`)}
      </nav>
      ${this.#panel()}
    `
  }

  static override styles = [
    base,
    css`
      nav { display: flex; gap: 4px; overflow-x: auto; margin-bottom: 16px; border-bottom: 1px solid var(--line); }
      nav a { flex: none; padding: 12px 14px; text-decoration: none; color: var(--muted); border-bottom: 3px solid transparent; }
      nav a[aria-current='page'] { color: var(--ink); font-weight: 700; border-color: var(--accent); }
    `,
  ]
}
customElements.define('shulin-staff', StaffPage)
