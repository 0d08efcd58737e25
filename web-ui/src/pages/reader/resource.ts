/**
 * @module pages/reader/resource
 * A record's page: cover, title, creators, description, and what the reader can do — read,
 * like, share, keep on the shelf. Signed-out readers are asked to sign in before reading
 * what is not public. A course or a lecture has its own page (with the player), where this one
 * sends the reader on: links from elsewhere (a title suggestion, the shelf, a share) land there.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { LikeState, Resource } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { BelowTheFold, early } from '../../early.js'
import { match, navigate } from '../../router.js'
import { typeLabel } from '../../labels.js'
import { coverHref, hitHref } from '../../links.js'
import { setPageTitle } from '../../page-title.js'
import { taskView } from '../../components/page-state.js'
import '../../components/recommendations.js'
import '../../components/knowledge-cards.js'

/** The record's id when the address is a record page's (the app's route, `/r/:id`). */
function idOnRecordPage(): [string] | undefined {
  const route = match({ resource: '/r/:id' })
  return route.name === 'resource' ? [route.params.id!] : undefined
}

/** A record and its likes; asked for as soon as this module loads when the address is a record's. */
const firstRecord = early(idOnRecordPage(), (id: string) =>
  Promise.all([api<Resource>(`/api/resources/${id}`), api<LikeState>(`/api/resources/${id}/likes`)]),
)

export class ResourcePage extends LitElement {
  static override properties = {
    resourceId: {},
    likes: { state: true },
    note: { state: true },
    shelved: { state: true },
  }
  resourceId = ''
  /** The likes as the reader's own clicks leave them (the task brings the first count). */
  likes: LikeState | undefined
  shelved = false
  note = ''

  #data = new Task(this, {
    task: async ([id]: readonly [string]) => {
      const [record, likes] = await firstRecord(id)
      setPageTitle(record.metadata.title)
      this.likes = likes
      if ((record.type === 'course' || record.type === 'lecture') && id === this.resourceId)
        navigate(hitHref(record), { replace: true })
      return record
    },
    args: () => [this.resourceId] as const,
  })

  /** Related works and recommendations are below the record: they render once it is painted. */
  #below = new BelowTheFold(this, () => !!this.#data.value)

  get #record(): Resource | undefined {
    return this.#data.value
  }

  #needSession(): boolean {
    if (session.current) return false
    navigate(`/signin?next=${encodeURIComponent(location.pathname)}`)
    return true
  }

  async #like(): Promise<void> {
    if (this.#needSession() || !this.likes) return
    try {
      this.likes = await api<LikeState>(`/api/me/likes/${this.resourceId}`, {
        method: this.likes.liked ? 'DELETE' : 'PUT',
      })
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  async #shelve(): Promise<void> {
    if (this.#needSession()) return
    try {
      await api(`/api/me/shelf/${this.resourceId}`, { method: 'PUT' })
      this.shelved = true
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  async #share(): Promise<void> {
    const url = `${location.origin}/share/${this.resourceId}`
    if (navigator.share) {
      await navigator.share({ title: this.#record?.metadata.title ?? '', url }).catch(() => {})
      return
    }
    await navigator.clipboard?.writeText(url).catch(() => {})
    this.note = t('linkCopied')
  }

  #read(): void {
    const r = this.#record
    if (!r) return
    if (r.access !== 'public' && this.#needSession()) return
    navigate(`/read/${r.id}`)
  }

  override render() {
    return taskView(this.#data, (r) => this.#page(r), { stale: false })
  }

  #page(r: Resource) {
    const m = r.metadata
    const cover = r.files.find((f) => f.role === 'cover')
    const content = r.files.find((f) => f.role === 'content')
    const readable =
      r.type === 'image-set' || (!!content && /^(application\/(epub\+zip|pdf)|audio\/|video\/)/.test(content.mediaType))
    // A reader visiting from another library may open "any member library" records, not "this library's readers" ones.
    const visitorRefused = r.access === 'node-readers' && !!session.current?.account.home
    return html`
      <article>
        <img class="cover" src=${cover ? `/api/resources/${r.id}/files/cover` : coverHref(r.id)} alt="" width="220" height="293" />
        <div class="about">
          <h1>${m.title}</h1>
          ${m.creators.length ? html`<p class="creators">${m.creators.join('、')}</p>` : nothing}
          <p class="muted">${typeLabel(r.type)}${m.publisher ? ` · ${m.publisher}` : ''}${m.date ? ` · ${m.date}` : ''}</p>
          <div class="actions">
            ${readable && visitorRefused ? html`<p class="muted" role="note">${t('nodeReadersOnly')}</p>` : nothing}
            ${readable && !visitorRefused ? html`<button @click=${() => this.#read()}>${r.access !== 'public' && !session.current ? t('signInToRead') : r.type === 'audiobook' || r.type === 'video' ? t('play') : t('read')}</button>` : nothing}
            ${content && !readable ? html`<a class="button" href="/api/resources/${r.id}/content" download>${t('download')}</a>` : nothing}
            <button class="secondary" aria-pressed=${this.likes?.liked ? 'true' : 'false'} @click=${() => void this.#like()}>
              ${this.likes?.liked ? t('liked') : t('like')} ${this.likes?.count ?? 0}
            </button>
            <button class="secondary" @click=${() => void this.#shelve()}>${this.shelved ? t('onShelf') : t('addToShelf')}</button>
            <button class="secondary" @click=${() => void this.#share()}>${t('share')}</button>
          </div>
          <p role="status" class="muted">${this.note}</p>
          ${m.description ? html`<p class="description">${m.description}</p>` : nothing}
          ${m.subjects.length ? html`<p class="muted">${m.subjects.join(' · ')}</p>` : nothing}
        </div>
      </article>
      ${
        this.#below.shown
          ? html`<shulin-related .record=${r.id}></shulin-related>
            <shulin-recommendations .for=${r.id}></shulin-recommendations>`
          : nothing
      }
    `
  }

  static override styles = [
    base,
    css`
      article { display: grid; gap: 16px; }
      .cover { width: 160px; height: auto; aspect-ratio: 3 / 4; object-fit: cover; border-radius: var(--radius); box-shadow: 0 4px 14px rgb(0 0 0 / 0.15); }
      h1 { margin: 0 0 8px; }
      .creators { font-size: 1.1rem; margin: 0 0 4px; }
      .actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 16px 0 4px; }
      a.button { display: inline-grid; place-items: center; min-height: 44px; padding: 0 16px; border-radius: var(--radius); background: var(--ink); color: #fff; text-decoration: none; }
      .description { white-space: pre-line; line-height: 1.8; }
      /* A tablet held upright (768 px) and up: the cover beside the details, as on a book's page in a shop. */
      @media (min-width: 600px) {
        article { grid-template-columns: 200px 1fr; gap: 24px; align-items: start; }
        .cover { width: 200px; }
      }
      @media (min-width: 800px) { article { grid-template-columns: 220px 1fr; } .cover { width: 220px; } }
    `,
  ]
}
customElements.define('shulin-resource', ResourcePage)
