/** foliate-js ships no types: the parts of `<foliate-view>` Shulin uses. */
declare module 'foliate-js/view.js' {
  export {}
}

interface FoliateTocItem {
  label: string
  href: string
  subitems?: FoliateTocItem[]
}

interface FoliateRelocateDetail {
  cfi: string
  fraction: number
  tocItem?: { label?: string; href?: string }
}

interface FoliateView extends HTMLElement {
  open(file: Blob): Promise<void>
  init(opts: { lastLocation?: string | null; showTextStart?: boolean }): Promise<void>
  goTo(target: string | number): Promise<unknown>
  prev(): Promise<void>
  next(): Promise<void>
  goLeft(): Promise<void>
  goRight(): Promise<void>
  book: { toc?: FoliateTocItem[]; metadata?: { title?: unknown } }
  renderer: HTMLElement & { setStyles?(css: string): void; next(): Promise<void> }
  /** Tears the renderer down: its resize observers and media-query listener stop. */
  close(): void
  lastLocation?: FoliateRelocateDetail
}
