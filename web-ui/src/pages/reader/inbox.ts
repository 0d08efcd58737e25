/**
 * @module pages/reader/inbox
 * `/me/inbox`: the reader's notices, newest first, unread ones marked; opening one marks it
 * read and follows its link (a portal path); "mark all read" clears the count.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { InboxList, Notice } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api, session } from '../../api.js'
import { navigate } from '../../router.js'
import { taskView } from '../../components/page-state.js'
import { it } from '../../i18n/inbox.js'

/** The notice's kind in words (an unknown kind, from a newer node, as it is). */
function kindLabel(kind: string): string {
  const key = `kind_${kind.replace(/-/g, '_')}`
  return key in kindKeys ? it(key as Parameters<typeof it>[0]) : kind
}
const kindKeys: Record<string, true> = Object.fromEntries(
  [
    'new_lecture',
    'live_starting',
    'activity_results',
    'activity_phase',
    'signup_confirmed',
    'topic_items',
    'password_changed',
    'new_device',
  ].map((k) => [`kind_${k}`, true]),
)

export class InboxPage extends LitElement {
  #data = new Task(this, { task: () => api<InboxList>('/api/me/inbox?limit=100'), args: () => [] })

  override connectedCallback(): void {
    super.connectedCallback()
    if (session.known && !session.current) navigate('/signin?next=/me/inbox', { replace: true })
  }

  async #open(e: Event, n: Notice): Promise<void> {
    e.preventDefault()
    if (!n.readAt) {
      await api('/api/me/inbox/read', { body: { ids: [n.id] } }).catch(() => undefined)
      window.dispatchEvent(new Event('inbox-changed'))
    }
    // A notice links to a page of this portal only.
    navigate(n.link.startsWith('/') && !n.link.startsWith('//') ? n.link : '/')
  }

  async #markAll(): Promise<void> {
    await api('/api/me/inbox/read', { body: { all: true } })
    window.dispatchEvent(new Event('inbox-changed'))
    await this.#data.run()
  }

  override render() {
    return taskView(
      this.#data,
      (box) => html`<h1>${it('inbox')}</h1>
        <p class="muted">${it('inboxUnread', { n: box.unread })}
          ${box.unread ? html`<button class="secondary" @click=${() => void this.#markAll()}>${it('inboxMarkAll')}</button>` : nothing}
          <a href="/me/notify">${it('notifySettings')}</a>
        </p>
        ${
          box.items.length
            ? html`<ul>
              ${box.items.map(
                (n) => html`<li class=${n.readAt ? 'read' : 'unread'}>
                  <a href=${n.link} @click=${(e: Event) => void this.#open(e, n)}>
                    <span class="kind">${kindLabel(n.kind)}${n.readAt ? '' : html`<span class="visually-hidden">（${it('unreadMark')}）</span>`}</span>
                    <span class="title">${n.title}</span>
                    ${n.body ? html`<span class="body">${n.body}</span>` : nothing}
                    <time datetime=${n.createdAt}>${new Date(n.createdAt).toLocaleString()}</time>
                  </a>
                </li>`,
              )}
            </ul>`
            : html`<p>${it('inboxEmpty')}</p>`
        }`,
    )
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 720px; }
      h1 { color: var(--ink); margin: 0 0 4px; }
      .muted { color: var(--muted); display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
      ul { list-style: none; padding: 0; margin: 12px 0; }
      li a { display: grid; gap: 2px; padding: 12px; border-bottom: 1px solid var(--line); text-decoration: none; color: var(--text); min-height: 44px; }
      li.unread a { background: var(--card); border-left: 4px solid var(--accent); }
      li.unread .title { font-weight: 700; }
      .kind { font-size: 0.8rem; color: var(--muted); }
      .title { color: var(--ink); }
      .body, time { font-size: 0.85rem; color: var(--muted); }
      .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    `,
  ]
}
customElements.define('shulin-inbox-page', InboxPage)
