/**
 * @module pages/reader/read
 * Opens a record in the reader its content needs: EPUB, PDF, audio or video, image set. Each
 * reader's code loads only when a record of its kind is opened.
 */
import { LitElement, html } from 'lit'
import { initialState, Task } from '@lit/task'
import type { Resource } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api } from '../../api.js'
import { taskView } from '../../components/page-state.js'

const kindOf = (r: Resource): 'epub' | 'pdf' | 'play' | 'images' | undefined => {
  if (r.type === 'image-set') return 'images'
  const content = r.files.find((f) => f.role === 'content')
  if (!content) return undefined
  if (content.mediaType === 'application/epub+zip') return 'epub'
  if (content.mediaType === 'application/pdf') return 'pdf'
  if (/^(audio|video)\//.test(content.mediaType)) return 'play'
  return undefined
}

const loaders = {
  epub: () => import('./read-epub.js'),
  pdf: () => import('./read-pdf.js'),
  play: () => import('./play.js'),
  images: () => import('./view-images.js'),
}

export class ReadPage extends LitElement {
  static override properties = { resourceId: {} }
  resourceId = ''

  /** The viewer this record needs, loaded; a file no viewer shows is downloaded instead. */
  #viewer = new Task(this, {
    task: async ([id]: readonly [string]) => {
      const kind = kindOf(await api<Resource>(`/api/resources/${id}`))
      if (!kind) {
        location.href = `/api/resources/${id}/content`
        return initialState
      }
      await loaders[kind]()
      return kind
    },
    args: () => [this.resourceId] as const,
  })

  override render() {
    return taskView(this.#viewer, (kind) => this.#view(kind), { stale: false })
  }

  #view(kind: keyof typeof loaders) {
    switch (kind) {
      case 'epub':
        return html`<shulin-read-epub .resourceId=${this.resourceId}></shulin-read-epub>`
      case 'pdf':
        return html`<shulin-read-pdf .resourceId=${this.resourceId}></shulin-read-pdf>`
      case 'play':
        return html`<shulin-play .resourceId=${this.resourceId}></shulin-play>`
      case 'images':
        return html`<shulin-view-images .resourceId=${this.resourceId}></shulin-view-images>`
    }
  }

  static override styles = [base]
}
customElements.define('shulin-read', ReadPage)
