/**
 * @module pages/staff/network
 * This library in the network: which hub it belongs to, its peers and last sync; joining with
 * an invite (a node); and on the hub, the member list with invite, suspend, reinstate and
 * revoke.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { FederationStatus, InviteResponse, JoinResult, MemberList, MemberView } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { formError } from '../../components/form.js'

export class StaffNetwork extends LitElement {
  static override properties = { formErr: { state: true }, invite: { state: true }, note: { state: true } }
  formErr: unknown
  invite = ''
  note = ''

  #data = new Task(this, {
    task: () =>
      Promise.all([api<FederationStatus>('/api/federation/status'), api<MemberList>('/api/federation/members')]),
    args: () => [],
  })

  async #createInvite(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    this.formErr = undefined
    try {
      const r = await api<InviteResponse>('/api/staff/federation/invites', {
        body: {
          name: String(f.get('name') ?? '').trim(),
          region: String(f.get('region') ?? '').trim(),
          level: String(f.get('level')),
          validHours: Number(f.get('hours') || 72),
        },
      })
      this.invite = r.invite
    } catch (err) {
      this.formErr = err
    }
  }

  async #join(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const invite = String(new FormData(e.target as HTMLFormElement).get('invite') ?? '').trim()
    this.formErr = undefined
    try {
      const r = await api<JoinResult>('/api/staff/federation/join', { body: { invite } })
      this.note = t('joinedHub', { members: r.members })
      await this.#data.run()
    } catch (err) {
      this.formErr = err
    }
  }

  async #setStatus(m: MemberView, action: 'suspend' | 'reinstate' | 'revoke'): Promise<void> {
    if (action === 'revoke' && !confirm(t('confirmRevoke', { name: m.name }))) return
    try {
      await api(`/api/staff/federation/members/${m.nodeId}/${action}`, { method: 'POST' })
      await this.#data.run()
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  override render() {
    return taskView(this.#data, ([status, list]) => this.#network(status, list.members))
  }

  #network(s: FederationStatus, members: MemberView[]) {
    const admin = session.current?.account.roles.includes('admin')
    const hub = s.role === 'hub'
    return html`
      <dl>
        <dt>${t('role')}</dt><dd>${hub ? t('roleHub') : t('roleNode')}</dd>
        ${hub ? nothing : html`<dt>${t('memberOf')}</dt><dd>${s.member && s.hub ? html`<code>${s.hub}</code>` : t('notJoined')}</dd>`}
        <dt>${t('peersNow')}</dt><dd>${s.peers.length ? s.peers.map((p) => p.name ?? p.nodeId.slice(0, 16)).join('、') : '—'}</dd>
        <dt>${t('lastSync')}</dt><dd>${s.lastSync ? new Date(s.lastSync).toLocaleString() : '—'}</dd>
      </dl>
      <p role="status" class="muted">${this.note}</p>
      ${
        !hub && !s.member && admin
          ? html`<form @submit=${this.#join}>
            <label for="invite">${t('pasteInvite')}</label>
            <textarea id="invite" name="invite" rows="3" required></textarea>
            ${formError(this.formErr)}
            <button type="submit">${t('joinNetwork')}</button>
          </form>`
          : nothing
      }
      ${
        hub && admin
          ? html`<form class="grid" @submit=${this.#createInvite} aria-labelledby="inv">
            <h2 id="inv">${t('newInvite')}</h2>
            <label for="i-name">${t('libraryName')}</label><input id="i-name" name="name" required maxlength="64" />
            <label for="i-region">${t('regionCode')}</label><input id="i-region" name="region" required pattern="[1-9][0-9]{5}" inputmode="numeric" />
            <label for="i-level">${t('level')}</label>
            <select id="i-level" name="level"><option value="county">${t('levelCounty')}</option><option value="city">${t('levelCity')}</option><option value="province">${t('levelProvince')}</option></select>
            <label for="i-hours">${t('validHours')}</label><input id="i-hours" name="hours" type="number" min="1" max="720" value="72" />
            ${formError(this.formErr)}
            <button type="submit">${t('create')}</button>
            ${this.invite ? html`<label for="i-out">${t('inviteReady')}</label><textarea id="i-out" readonly rows="4" .value=${this.invite}></textarea>` : nothing}
          </form>`
          : nothing
      }
      <section aria-labelledby="mem">
        <h2 id="mem">${t('members')}</h2>
        ${
          members.length
            ? html`<table>
              <thead><tr><th scope="col">${t('libraryName')}</th><th scope="col">${t('regionCode')}</th><th scope="col">${t('status')}</th><th scope="col">${t('lastContact')}</th>${hub ? html`<th scope="col">${t('version')}</th><th scope="col">${t('registryLag')}</th>` : nothing}${hub && admin ? html`<th scope="col"><span class="visually-hidden">${t('actions')}</span></th>` : nothing}</tr></thead>
              <tbody>
                ${members.map(
                  (m) => html`<tr>
                    <td>${m.name}</td><td>${m.region}</td><td>${t(m.status === 'active' ? 'active' : m.status === 'suspended' ? 'suspended' : 'revoked')}</td>
                    <td>${m.lastContact ? new Date(m.lastContact).toLocaleString() : '—'}</td>
                    ${hub ? html`<td>${m.version ?? '—'}</td><td>${m.behind === null ? '—' : m.behind === 0 ? t('upToDate') : t('entriesBehind', { n: m.behind, s: m.lagSeconds ?? 0 })}</td>` : nothing}
                    ${
                      hub && admin
                        ? html`<td class="acts">
                          ${m.status === 'active' ? html`<button class="secondary" @click=${() => void this.#setStatus(m, 'suspend')}>${t('suspend')}</button>` : nothing}
                          ${m.status === 'suspended' ? html`<button class="secondary" @click=${() => void this.#setStatus(m, 'reinstate')}>${t('reinstate')}</button>` : nothing}
                          ${m.status !== 'revoked' ? html`<button class="secondary danger" @click=${() => void this.#setStatus(m, 'revoke')}>${t('revoke')}</button>` : nothing}
                        </td>`
                        : nothing
                    }
                  </tr>`,
                )}
              </tbody>
            </table>`
            : html`<p class="muted">${t('nothingYet')}</p>`
        }
      </section>
    `
  }

  static override styles = [
    base,
    css`
      dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 16px; }
      dt { font-weight: 600; }
      dd { margin: 0; overflow-wrap: anywhere; }
      form { display: grid; background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; margin: 16px 0; }
      form button { margin-top: 12px; }
      table { width: 100%; border-collapse: collapse; background: #fff; }
      th, td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); }
      .acts { display: flex; gap: 6px; flex-wrap: wrap; }
      .danger { color: var(--accent); border-color: var(--accent); }
    `,
  ]
}
customElements.define('shulin-staff-network', StaffNetwork)
