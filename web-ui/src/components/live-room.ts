/**
 * @module components/live-room
 * `<shulin-live-room room=… >`: a live lecture's room (WebSocket, `/api/live/:id/room`, one JSON
 * message per frame — RoomClientMessage / RoomServerMessage in protocol): questions (提问) that
 * readers upvote and moderators mark answered, and comments (弹幕). Anyone who may watch sees
 * them; speaking needs a sign-in (an anonymous viewer who tries is shown the way to sign in);
 * a refusal (too fast, slow mode, muted, filtered…) is said in words to the sender.
 *
 * Moderators (the welcome says `canModerate`) also get: hide any message, mark a question
 * answered, mute its author (and unmute again), slow mode, and the viewers' glass-to-glass delay.
 *
 * Text is only ever rendered as text (Lit escapes it): a message with HTML shows its markup.
 * The socket reconnects by itself with backoff; the welcome after reconnecting replaces the
 * room's state, so nothing said meanwhile is lost from the view.
 *
 * On a member that relays the hub's lecture, the member's own `{type:'relay', state}` says when
 * its link to the hub drops and comes back; the panel says so (the video says it by itself).
 *
 * Out: `room-comment` (`detail`: the comment) for the 弹幕 layer, `room-status` (`detail`: the
 * lecture's status) when the lecture goes live or ends.
 */
import { LitElement, css, html, nothing } from 'lit'
import { repeat } from 'lit/directives/repeat.js'
import type {
  LiveStatus,
  RoomClientMessage,
  RoomComment,
  RoomQuestion,
  RoomRelayMessage,
  RoomServerMessage,
  commentMaxChars,
  questionMaxChars,
} from '@shulin/protocol'
import { base } from '../styles.js'
import { session } from '../api.js'
import { colon, lt, type LiveKey } from '../i18n/live.js'
import { signInHref } from '../links.js'
import { shanghaiTime } from './live-time.js'

/** The protocol's limits (checked against its constants' types, so the two cannot drift apart). */
const questionMax: typeof questionMaxChars = 300
const commentMax: typeof commentMaxChars = 60
/** Comments kept in view (the room's own history is the node's). */
const keepComments = 200
const firstRetryMs = 1000
const maxRetryMs = 15_000
const slowChoices = [0, 5, 15, 30, 60]

type Kind = 'question' | 'comment'

export class LiveRoom extends LitElement {
  static override properties = {
    room: {},
    conn: { state: true },
    questions: { state: true },
    comments: { state: true },
    slowSeconds: { state: true },
    canSpeak: { state: true },
    canModerate: { state: true },
    status: {},
    delay: { state: true },
    notice: { state: true },
    signInPrompt: { state: true },
    kind: { state: true },
    text: { state: true },
    tab: { state: true },
    relay: { state: true },
    muted: { state: true },
  }
  /** The room's path (`LiveView.room`). */
  room = ''
  conn: 'connecting' | 'open' | 'reconnecting' = 'connecting'
  questions: RoomQuestion[] = []
  comments: RoomComment[] = []
  slowSeconds = 0
  canSpeak = false
  canModerate = false
  /** The lecture's status: the page's (from the node) until the room says otherwise. */
  status: LiveStatus = 'scheduled'
  delay: { ms: number; viewers: number } | undefined
  /** The last refusal or confirmation, in words. */
  notice = ''
  signInPrompt = false
  kind: Kind = 'question'
  text = ''
  tab: 'questions' | 'comments' = 'questions'
  /** A relaying member's link to the hub. */
  relay: RoomRelayMessage['state'] = 'connected'
  /**
   * Authors this moderator muted while on the page (author id → how they are shown), so each can
   * be unmuted again. The room does not send who is muted; one muted before the page was opened
   * is unmuted from a message of theirs (the unmute button shows once they are in this list).
   */
  muted = new Map<string, string>()

  #ws: WebSocket | undefined
  #attempt = 0
  #retry: number | undefined
  #voted = new Set<string>()
  #relabel = () => this.requestUpdate()

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
    window.addEventListener('session-changed', this.#relabel)
    // Moved in the page: the socket was closed on leaving, so it is opened again.
    if (this.hasUpdated && this.room) this.#connect()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
    window.removeEventListener('session-changed', this.#relabel)
    clearTimeout(this.#retry)
    const ws = this.#ws
    this.#ws = undefined
    ws?.close()
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('room') && this.room) this.#connect()
  }

  /** Reports the position on screen (`{type:'ping', at}`), for the moderators' delay figure. */
  ping(at: number): void {
    this.#send({ type: 'ping', at })
  }

  #connect(): void {
    clearTimeout(this.#retry)
    this.#ws?.close()
    const url = new URL(this.room, location.href)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    const ws = new WebSocket(url)
    this.#ws = ws
    ws.onmessage = (e) => {
      if (this.#ws !== ws || typeof e.data !== 'string') return
      let msg: RoomServerMessage | RoomRelayMessage
      try {
        msg = JSON.parse(e.data) as RoomServerMessage | RoomRelayMessage
      } catch {
        return
      }
      this.#receive(msg)
    }
    ws.onclose = () => {
      if (this.#ws !== ws) return
      this.#ws = undefined
      this.conn = 'reconnecting'
      const delay = Math.min(maxRetryMs, firstRetryMs * 2 ** this.#attempt++)
      this.#retry = window.setTimeout(() => this.#connect(), delay)
    }
  }

  #send(msg: RoomClientMessage): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false
    this.#ws.send(JSON.stringify(msg))
    return true
  }

  #receive(msg: RoomServerMessage | RoomRelayMessage): void {
    switch (msg.type) {
      case 'relay':
        this.relay = msg.state
        break
      case 'welcome':
        this.#attempt = 0
        this.conn = 'open'
        this.questions = msg.questions
        this.comments = msg.comments.slice(-keepComments)
        this.slowSeconds = msg.slowSeconds
        this.canSpeak = msg.canSpeak
        this.canModerate = msg.canModerate
        this.#status(msg.status)
        break
      case 'question':
        this.questions = [...this.questions.filter((q) => q.id !== msg.id), msg]
        break
      case 'comment':
        if (this.comments.some((c) => c.id === msg.id)) break
        this.comments = [...this.comments, msg].slice(-keepComments)
        this.dispatchEvent(new CustomEvent('room-comment', { detail: msg, bubbles: true, composed: true }))
        break
      case 'votes':
        this.questions = this.questions.map((q) => (q.id === msg.id ? { ...q, votes: msg.votes } : q))
        break
      case 'hidden':
        this.questions = this.questions.filter((q) => q.id !== msg.id)
        this.comments = this.comments.filter((c) => c.id !== msg.id)
        break
      case 'answered':
        this.questions = this.questions.map((q) => (q.id === msg.id ? { ...q, answered: true } : q))
        break
      case 'slow':
        this.slowSeconds = msg.seconds
        break
      case 'status':
        this.#status(msg.status)
        break
      case 'delay':
        this.delay = { ms: msg.ms, viewers: msg.viewers }
        break
      case 'refused':
        if (msg.code === 'unauthenticated') this.signInPrompt = true
        this.notice = lt(`refused_${msg.code}` as LiveKey)
        break
    }
  }

  #status(status: LiveStatus): void {
    if (status === this.status) return
    this.status = status
    this.dispatchEvent(new CustomEvent('room-status', { detail: status, bubbles: true, composed: true }))
  }

  #submit(e: SubmitEvent): void {
    e.preventDefault()
    this.notice = ''
    if (!session.current) {
      // Anonymous: the way to sign in, instead of a message the room would refuse.
      this.signInPrompt = true
      return
    }
    const text = this.text.trim()
    if (!text) return
    const max = this.kind === 'question' ? questionMax : commentMax
    if ([...text].length > max) {
      this.notice = lt('roomTooLong', { max })
      return
    }
    if (this.#send({ type: this.kind, text })) this.text = ''
  }

  #upvote(q: RoomQuestion): void {
    if (!session.current) {
      this.signInPrompt = true
      return
    }
    if (this.#voted.has(q.id)) return
    if (this.#send({ type: 'upvote', id: q.id })) this.#voted.add(q.id)
    this.requestUpdate()
  }

  #who(a: RoomQuestion['author']): string {
    return a.library ? `${a.name} · ${a.library}` : a.name
  }

  #modTools(m: RoomQuestion | RoomComment) {
    if (!this.canModerate) return nothing
    const who = this.#who(m.author)
    return html`<div class="mod">
      ${m.type === 'question' && !m.answered ? html`<button class="secondary" @click=${() => this.#send({ type: 'answered', id: m.id })}>${lt('modAnswered')}</button>` : nothing}
      <button class="secondary" aria-label=${lt('modHideLabel', { who })} @click=${() => this.#send({ type: 'hide', id: m.id })}>${lt('modHide')}</button>
      ${
        this.muted.has(m.author.id)
          ? html`<button class="secondary" aria-label=${lt('modUnmuteLabel', { who })} @click=${() => this.#unmute(m.author.id, who)}>${lt('modUnmute')}</button>`
          : html`<button class="secondary" aria-label=${lt('modMuteLabel', { who })} @click=${() => this.#mute(m.author.id, who)}>${lt('modMute')}</button>`
      }
    </div>`
  }

  #mute(author: string, who: string): void {
    if (!this.#send({ type: 'mute', author, minutes: 60 })) return
    this.notice = lt('modMuted', { who })
    this.muted = new Map(this.muted).set(author, who)
  }

  #unmute(author: string, who: string): void {
    if (!this.#send({ type: 'unmute', author })) return
    this.notice = lt('modUnmuted', { who })
    const next = new Map(this.muted)
    next.delete(author)
    this.muted = next
  }

  #question(q: RoomQuestion) {
    const voted = this.#voted.has(q.id)
    return html`<li class="msg ${q.answered ? 'answered' : ''}" data-id=${q.id}>
      <div class="row">
        <button class="vote secondary" aria-pressed=${voted ? 'true' : 'false'} aria-label=${lt('roomUpvote', { votes: q.votes })} @click=${() => this.#upvote(q)}>
          <span aria-hidden="true">▲</span> <span>${q.votes}</span>
        </button>
        <div class="body">
          <p class="text">${q.text}</p>
          <p class="meta">${this.#who(q.author)} · <time datetime=${q.at}>${shanghaiTime(q.at, { date: false })}</time>
            ${q.answered ? html` · <strong class="done">✓ ${lt('roomAnswered')}</strong>` : nothing}</p>
        </div>
      </div>
      ${this.#modTools(q)}
    </li>`
  }

  #comment(c: RoomComment) {
    return html`<li class="msg" data-id=${c.id}>
      <p class="text"><span class="meta">${c.author.name}${colon()}</span>${c.text}</p>
      ${this.#modTools(c)}
    </li>`
  }

  #composer() {
    if (this.status === 'ended') return html`<p class="muted">${lt('refused_ended')}</p>`
    const max = this.kind === 'question' ? questionMax : commentMax
    const count = [...this.text].length
    return html`<form @submit=${this.#submit}>
      <div class="kinds" role="radiogroup" aria-label=${lt('roomKind')}>
        ${(['question', 'comment'] as const).map(
          (k) =>
            html`<label class="kind"><input type="radio" name="kind" value=${k} .checked=${this.kind === k} @change=${() => (this.kind = k)} />
              ${lt(k === 'question' ? 'roomKindQuestion' : 'roomKindComment')}</label>`,
        )}
      </div>
      <div class="send">
        <label class="visually-hidden" for="say">${lt(this.kind === 'question' ? 'roomAsk' : 'roomSay')}</label>
        <input id="say" autocomplete="off" maxlength=${max} .value=${this.text}
          placeholder=${lt(this.kind === 'question' ? 'roomAskPlaceholder' : 'roomSayPlaceholder', { max })}
          aria-describedby="count"
          @input=${(e: InputEvent) => (this.text = (e.target as HTMLInputElement).value)} />
        <button type="submit">${lt(this.kind === 'question' ? 'roomSendQuestion' : 'roomSendComment')}</button>
      </div>
      <p class="hint muted"><span id="count">${count}/${max}</span>${this.slowSeconds ? html` · ${lt('roomSlow', { seconds: this.slowSeconds })}` : nothing}</p>
      ${
        this.signInPrompt && !session.current
          ? html`<p class="prompt" role="alert">${lt('roomSignIn')} <a href=${signInHref(location.pathname)}>${lt('roomSignInLink')}</a></p>`
          : nothing
      }
      ${this.notice ? html`<p class="notice" role="alert">${this.notice}</p>` : nothing}
    </form>`
  }

  #moderation() {
    if (!this.canModerate) return nothing
    const d = this.delay
    return html`<section class="moderation" aria-labelledby="mod-h">
      <h3 id="mod-h">${lt('modTitle')}</h3>
      <p class="delay">${lt('modDelay')}${colon()}<output>${d ? lt('modDelayValue', { seconds: (d.ms / 1000).toFixed(1), viewers: d.viewers }) : lt('modDelayNone')}</output></p>
      <label class="slow">${lt('modSlow')}
        <select @change=${(e: Event) => this.#send({ type: 'slow', seconds: Number((e.target as HTMLSelectElement).value) })}>
          ${slowChoices.map((s) => html`<option value=${s} ?selected=${s === this.slowSeconds}>${s ? lt('modSlowSeconds', { seconds: s }) : lt('modSlowOff')}</option>`)}
        </select>
      </label>
      ${
        this.muted.size
          ? html`<h4>${lt('modMutedList')}</h4>
              <ul class="muted-list">
                ${[...this.muted].map(
                  ([author, who]) =>
                    html`<li><span>${who}</span> <button class="secondary" aria-label=${lt('modUnmuteLabel', { who })} @click=${() => this.#unmute(author, who)}>${lt('modUnmute')}</button></li>`,
                )}
              </ul>`
          : nothing
      }
    </section>`
  }

  override render() {
    const questions = [...this.questions].sort(
      (a, b) => Number(a.answered) - Number(b.answered) || b.votes - a.votes || a.at.localeCompare(b.at),
    )
    const tab = (id: 'questions' | 'comments', label: string) =>
      html`<button role="tab" id="tab-${id}" aria-controls="room-panel" aria-selected=${this.tab === id ? 'true' : 'false'} tabindex=${this.tab === id ? 0 : -1} @click=${() => (this.tab = id)}>${label}</button>`
    return html`<section class="room" aria-labelledby="room-h">
      <h2 id="room-h" class="visually-hidden">${lt('roomTitle')}</h2>
      ${this.conn !== 'open' ? html`<p class="conn muted" role="status">${lt(this.conn === 'connecting' ? 'roomConnecting' : 'roomReconnecting')}</p>` : nothing}
      ${this.conn === 'open' && this.relay === 'reconnecting' ? html`<p class="conn muted" role="status">${lt('roomRelayReconnecting')}</p>` : nothing}
      ${this.#moderation()}
      <div role="tablist" @keydown=${(e: KeyboardEvent) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return
        this.tab = this.tab === 'questions' ? 'comments' : 'questions'
        void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${this.tab}`)?.focus())
      }}>
        ${tab('questions', lt('roomQuestions', { count: this.questions.length }))}
        ${tab('comments', lt('roomComments', { count: this.comments.length }))}
      </div>
      <div id="room-panel" role="tabpanel" aria-labelledby="tab-${this.tab}">
        ${
          this.tab === 'questions'
            ? questions.length
              ? html`<ol class="list">${repeat(
                  questions,
                  (q) => q.id,
                  (q) => this.#question(q),
                )}</ol>`
              : html`<p class="muted">${lt('roomNoQuestions')}</p>`
            : this.comments.length
              ? html`<ol class="list">${repeat(
                  [...this.comments].reverse(),
                  (c) => c.id,
                  (c) => this.#comment(c),
                )}</ol>`
              : html`<p class="muted">${lt('roomNoComments')}</p>`
        }
      </div>
      ${this.#composer()}
    </section>`
  }

  static override styles = [
    base,
    css`
      :host { display: block; }
      .room { display: grid; gap: 8px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px; }
      .conn { margin: 0; }
      [role='tablist'] { display: flex; border-bottom: 1px solid var(--line); }
      [role='tab'] { flex: 1; border: 0; border-bottom: 3px solid transparent; border-radius: 0; background: transparent; color: var(--muted); }
      [role='tab'][aria-selected='true'] { color: var(--ink); font-weight: 700; border-bottom-color: var(--accent); }
      .list { list-style: none; margin: 0; padding: 0; max-height: 50vh; overflow: auto; }
      .msg { padding: 8px 0; border-bottom: 1px solid var(--line); }
      .msg.answered .text { color: var(--muted); }
      .row { display: flex; gap: 10px; align-items: flex-start; }
      .vote { flex: none; min-width: 56px; padding: 0 8px; }
      .vote[aria-pressed='true'] { background: var(--ink); color: #fff; }
      .body { min-width: 0; }
      .text { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; line-height: 1.5; }
      .meta { margin: 2px 0 0; color: var(--muted); font-size: 0.85rem; }
      .done { color: #1e6b3a; }
      .mod { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
      .mod button { min-height: 36px; padding: 0 10px; font-size: 0.9rem; }
      .moderation { border: 1px dashed var(--accent); border-radius: var(--radius); padding: 8px 12px; }
      .moderation h3 { margin: 0 0 4px; font-size: 1rem; }
      .moderation p { margin: 4px 0; }
      .moderation label { display: flex; gap: 8px; align-items: center; margin: 4px 0; }
      .moderation select { width: auto; }
      .moderation h4 { margin: 8px 0 4px; font-size: 0.95rem; }
      .muted-list { list-style: none; padding: 0; margin: 0; }
      .muted-list li { display: flex; gap: 8px; justify-content: space-between; align-items: center; padding: 4px 0; }
      .muted-list button { min-height: 44px; padding: 0 12px; }
      form { display: grid; gap: 6px; }
      .kinds { display: flex; gap: 16px; }
      .kind { display: flex; gap: 6px; align-items: center; margin: 0; font-weight: 400; min-height: 44px; }
      .kind input { width: auto; min-height: 0; }
      .send { display: flex; gap: 8px; }
      .send input { flex: 1; min-width: 0; }
      .hint { margin: 0; font-size: 0.85rem; }
      .prompt, .notice { margin: 0; padding: 8px 12px; border-radius: var(--radius); background: #fff4f2; color: var(--accent); border: 1px solid #f1c4bd; }
    `,
  ]
}
customElements.define('shulin-live-room', LiveRoom)

declare global {
  interface HTMLElementTagNameMap {
    'shulin-live-room': LiveRoom
  }
}
