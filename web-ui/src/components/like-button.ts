/**
 * @module components/like-button
 * One like per reader per entry per Beijing day: the button shows the count and whether the
 * reader liked it today (pressed). A second like the same day is still sent — the node decides,
 * and its refusal (409 `already_liked_today`) is said in words beside the button, not swallowed:
 * the reader may have liked on another device or at another library.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { LikeResult } from '@shulin/protocol'
import { base } from '../styles.js'
import { at } from '../i18n/activities.js'
import { api, ApiError, session } from '../api.js'
import { activityPaths } from '../activities.js'

export class LikeButton extends LitElement {
  static override properties = {
    activity: {},
    entry: {},
    entryTitle: { attribute: 'entry-title' },
    likes: { type: Number },
    liked: { type: Boolean },
    message: { state: true },
    busy: { state: true },
  }
  activity = ''
  entry = ''
  entryTitle = ''
  likes = 0
  liked = false
  message = ''
  busy = false

  async #like(): Promise<void> {
    if (!session.current) {
      this.message = at('likeSignIn')
      return
    }
    this.busy = true
    this.message = ''
    try {
      const r = await api<LikeResult>(activityPaths.like(this.activity, this.entry), { method: 'POST' })
      this.likes = r.likes
      this.liked = true
      this.message = at('likeCounted')
      this.dispatchEvent(new CustomEvent('liked', { detail: r, bubbles: true, composed: true }))
    } catch (err) {
      if (err instanceof ApiError && err.code === 'already_liked_today') {
        this.liked = true
        this.message = at('likeAlready')
      } else this.message = err instanceof Error ? err.message : String(err)
    } finally {
      this.busy = false
    }
  }

  override render() {
    const label = at(this.liked ? 'likedTodayEntry' : 'likeEntry', { title: this.entryTitle, count: this.likes })
    return html`<button
        class=${this.liked ? 'secondary liked' : ''}
        aria-pressed=${this.liked ? 'true' : 'false'}
        aria-label=${label}
        ?disabled=${this.busy}
        @click=${() => void this.#like()}
      >
        <span aria-hidden="true">${this.liked ? '♥' : '♡'}</span>
        ${this.liked ? at('likedToday') : at('like')} · ${this.likes}
      </button>
      <span class="message" role="status">${this.message || nothing}</span>`
  }

  static override styles = [
    base,
    css`
      :host { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 6px; }
      button { white-space: nowrap; }
      button.liked { color: var(--accent); border-color: var(--accent); }
      .message { font-size: 0.9rem; color: var(--accent); }
      .message:empty { display: none; }
    `,
  ]
}
customElements.define('shulin-like-button', LikeButton)
