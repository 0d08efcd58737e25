/**
 * @module pages/staff/channels
 * Channels in the staff console: this library's own (create one, see its records, submit it
 * to the hub), the network's menu (subscribe: catalog only, or mirror), what this library
 * subscribes to, and on the hub the channels waiting for review (list or refuse, with a
 * reason). Course channels (a hub's series, 公开课专题) come first on the menu, marked, with what
 * subscribing to one does.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { ChannelList, ChannelSummary, FederationStatus, MemberList, MenuList } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { formError } from '../../components/form.js'

type MenuItem = MenuList['menu'][number]

/** What the page shows, from four answers. */
interface Channels {
  channels: ChannelSummary[]
  menu: MenuItem[]
  pending: MenuList['pending']
  nodeRole: FederationStatus['role']
  /** This node's id (its own channels are not offered for subscription). */
  self: string
  /** Libraries' names by node id (this one is "this library"). */
  names: Map<string, string>
}

export class StaffChannels extends LitElement {
  static override properties = { formErr: { state: true }, note: { state: true } }
  formErr: unknown
  note = ''

  #data = new Task(this, {
    task: async (): Promise<Channels> => {
      const [list, menu, status, members] = await Promise.all([
        api<ChannelList>('/api/channels'),
        api<MenuList>('/api/channels/menu'),
        api<FederationStatus>('/api/federation/status'),
        api<MemberList>('/api/federation/members'),
      ])
      return {
        channels: list.channels,
        menu: menu.menu,
        pending: menu.pending,
        nodeRole: status.role,
        self: status.nodeId,
        names: new Map([
          ...members.members.map((m) => [m.nodeId, m.name] as [string, string]),
          [status.nodeId, t('thisLibrary')],
        ]),
      }
    },
    args: () => [],
  })

  /** The mark of a course channel, beside its name. */
  #kind(c: { kind?: 'courses' | undefined }) {
    return c.kind === 'courses' ? html`<span class="badge">${t('courseChannel')}</span> ` : nothing
  }

  #publisher(d: Channels, id: string): string {
    return d.names.get(id) ?? (d.nodeRole === 'hub' ? id.slice(0, 12) : t('theHub'))
  }

  async #act(path: string, body: unknown, done: string): Promise<void> {
    this.note = ''
    try {
      await api(path, { body })
      this.note = done
      await this.#data.run()
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  async #create(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    this.formErr = undefined
    try {
      await api('/api/staff/channels', {
        body: {
          name: String(f.get('name') ?? '').trim(),
          description: String(f.get('description') ?? ''),
          licence: String(f.get('licence') ?? ''),
        },
      })
      ;(e.target as HTMLFormElement).reset()
      this.note = t('channelCreated')
      await this.#data.run()
    } catch (err) {
      this.formErr = err
    }
  }

  #subscribeForm(m: MenuItem) {
    const submit = (e: SubmitEvent) => {
      e.preventDefault()
      const mode = String(new FormData(e.target as HTMLFormElement).get('mode'))
      void this.#act(
        '/api/staff/channels/subscriptions',
        { channel: m.channel, mode },
        t('subscribed', { name: m.name }),
      )
    }
    return html`<form class="inline" @submit=${submit}>
      <fieldset>
        <legend class="visually-hidden">${t('subscribeHow', { name: m.name })}</legend>
        <label><input type="radio" name="mode" value="catalog" checked /> ${t('modeCatalog')}</label>
        <label><input type="radio" name="mode" value="mirror" /> ${t('modeMirror')}</label>
      </fieldset>
      <button type="submit">${t('subscribe')}</button>
    </form>`
  }

  override render() {
    return taskView(this.#data, (d) => this.#channels(d))
  }

  #channels(d: Channels) {
    const admin = session.current?.account.roles.includes('admin') ?? false
    const own = d.channels.filter((c) => c.role === 'publisher')
    const subs = d.channels.filter((c) => c.role === 'subscriber')
    return html`
      <p role="status" class="muted">${this.note}</p>
      ${
        d.nodeRole === 'hub'
          ? html`<section aria-labelledby="pending">
            <h2 id="pending">${t('awaitingReview')}</h2>
            ${
              d.pending.length
                ? html`<ul class="cards">
                  ${d.pending.map(
                    (p) => html`<li>
                      <h3>${p.name}</h3>
                      <p class="muted">${this.#publisher(d, p.publisher)}</p>
                      <p>${p.description}</p>
                      ${
                        admin
                          ? html`<div class="acts">
                            <button @click=${() => void this.#act(`/api/staff/channels/menu/${p.id}`, { state: 'listed' }, t('listedOnMenu', { name: p.name }))}>${t('listOnMenu')}</button>
                            <form class="inline" @submit=${(e: SubmitEvent) => (e.preventDefault(), void this.#act(`/api/staff/channels/menu/${p.id}`, { state: 'refused', reason: String(new FormData(e.target as HTMLFormElement).get('reason') ?? '') }, t('refusedChannel', { name: p.name })))}>
                              <label for="r-${p.id}">${t('refuseReason')}</label><input id="r-${p.id}" name="reason" maxlength="500" required />
                              <button class="secondary danger" type="submit">${t('refuse')}</button>
                            </form>
                          </div>`
                          : nothing
                      }
                    </li>`,
                  )}
                </ul>`
                : html`<p class="muted">${t('nothingYet')}</p>`
            }
          </section>`
          : nothing
      }
      <section aria-labelledby="menu">
        <h2 id="menu">${t('channelMenu')}</h2>
        ${
          d.menu.length
            ? html`<ul class="cards">
              ${[...d.menu.filter((m) => m.kind === 'courses'), ...d.menu.filter((m) => m.kind !== 'courses')].map(
                (m) => html`<li>
                  <h3>${this.#kind(m)}${m.name}</h3>
                  <p class="muted">${t('publishedBy', { name: this.#publisher(d, m.publisher) })}</p>
                  ${m.description ? html`<p>${m.description}</p>` : nothing}
                  ${m.kind === 'courses' && !m.subscribed ? html`<p class="muted">${t('courseChannelHint')}</p>` : nothing}
                  ${m.licence ? html`<p class="muted">${t('licence')}：${m.licence}</p>` : nothing}
                  ${m.subscribed ? html`<p><strong>${t(m.subscribed === 'mirror' ? 'subscribedMirror' : 'subscribedCatalog')}</strong></p>` : admin && m.publisher !== d.self ? this.#subscribeForm(m) : nothing}
                </li>`,
              )}
            </ul>`
            : html`<p class="muted">${t('menuEmpty')}</p>`
        }
      </section>
      <section aria-labelledby="subs">
        <h2 id="subs">${t('ourSubscriptions')}</h2>
        ${subs.length ? html`<ul>${subs.map((c) => html`<li>${this.#kind(c)}${c.name} · ${t(c.mode === 'mirror' ? 'modeMirror' : 'modeCatalog')} · ${t('recordsCount', { n: c.records })}</li>`)}</ul>` : html`<p class="muted">${t('nothingYet')}</p>`}
      </section>
      <section aria-labelledby="own">
        <h2 id="own">${t('ourChannels')}</h2>
        ${
          own.length
            ? html`<table>
              <thead><tr><th scope="col">${t('channelName')}</th><th scope="col">${t('records')}</th><th scope="col">${t('onMenu')}</th>${admin ? html`<th scope="col"><span class="visually-hidden">${t('actions')}</span></th>` : nothing}</tr></thead>
              <tbody>
                ${own.map(
                  (c) => html`<tr>
                    <td>${this.#kind(c)}${c.name}<br /><code class="muted">${c.id}</code></td>
                    <td>${c.records}</td>
                    <td>${c.menu === 'listed' ? t('listed') : c.menu === 'refused' ? t('refused') : c.submitted ? t('submitted') : '—'}</td>
                    ${admin ? html`<td>${!c.submitted && d.nodeRole !== 'hub' ? html`<button class="secondary" @click=${() => void this.#act(`/api/staff/channels/${c.id}/submit`, {}, t('submittedChannel', { name: c.name }))}>${t('submitToHub')}</button>` : nothing}</td>` : nothing}
                  </tr>`,
                )}
              </tbody>
            </table>`
            : html`<p class="muted">${t('nothingYet')}</p>`
        }
        <form class="grid" @submit=${this.#create} aria-labelledby="newch">
          <h3 id="newch">${t('newChannel')}</h3>
          <label for="c-name">${t('channelName')}</label><input id="c-name" name="name" required maxlength="64" />
          <label for="c-desc">${t('description')}</label><textarea id="c-desc" name="description" rows="2" maxlength="2000"></textarea>
          <label for="c-lic">${t('licence')}</label><textarea id="c-lic" name="licence" rows="2" maxlength="2000"></textarea>
          ${formError(this.formErr)}
          <button type="submit">${t('create')}</button>
          <p class="muted">${t('channelHint')}</p>
        </form>
      </section>
    `
  }

  static override styles = [
    base,
    css`
      section { margin: 24px 0; }
      .cards { list-style: none; padding: 0; display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); }
      .cards li { background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 16px; }
      .cards h3 { margin: 0 0 4px; }
      fieldset { border: 0; padding: 0; margin: 0 0 8px; display: grid; gap: 4px; }
      fieldset label { display: flex; gap: 8px; align-items: center; font-weight: 400; margin: 4px 0; }
      fieldset input { width: 22px; min-height: 22px; flex: none; }
      form.grid { display: grid; background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; margin: 16px 0; }
      form.grid button { margin-top: 12px; }
      .acts { display: flex; gap: 8px; flex-wrap: wrap; align-items: end; }
      form.inline { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
      table { width: 100%; border-collapse: collapse; background: #fff; }
      th, td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
      code { font-size: 0.8em; }
      .danger { color: var(--accent); border-color: var(--accent); }
      .badge { display: inline-block; font-size: 0.75em; font-weight: 600; padding: 0 6px; border-radius: 4px; border: 1px solid currentColor; color: var(--accent); vertical-align: 0.1em; }
    `,
  ]
}
customElements.define('shulin-staff-channels', StaffChannels)
