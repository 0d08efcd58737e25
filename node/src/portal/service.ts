/**
 * @module portal/service
 * The home page's layout: the banner strip and the order and visibility of its sections, as the
 * staff arranged them. Owns the `portal` sublevel (one record, `home`). Every save is one synced
 * write of the whole layout, checked against the revision the editor read, so two staff editing
 * at once cannot silently undo each other's order.
 */
import { monotonicFactory } from 'ulid'
import {
  HomeSectionKind,
  type HomeLayout,
  type HomeSection,
  type NewBannerRequest,
  type UpdateHomeLayoutRequest,
} from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import { getOrUndefined, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'

/** A new library's home: everything shown, the strip and the news first, the catalogue's parts after. */
export const defaultSections: readonly HomeSection[] = (
  ['banners', 'news', 'shelves', 'courses', 'live', 'activities', 'newArrivals', 'recommendations'] as const
).map((kind) => ({ kind, hidden: false }))

/** More banners than this is not a strip any reader scrolls through. */
export const maxBanners = 20

export class PortalService {
  readonly #db: Sublevel<HomeLayout>
  readonly #mutex = new Mutex()
  readonly #ulid = monotonicFactory()

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {
    this.#db = storage.sublevel<HomeLayout>('portal')
  }

  /** The layout, every section present: a kind added by a later version joins at the end, shown. */
  async layout(): Promise<HomeLayout> {
    const saved = await getOrUndefined(this.#db, 'home')
    const base = saved ?? { sections: [...defaultSections], banners: [], revision: 0, updatedAt: null }
    const known = base.sections.filter((s) => HomeSectionKind.safeParse(s.kind).success)
    const missing = defaultSections.filter((d) => !known.some((s) => s.kind === d.kind))
    return { ...base, sections: [...known, ...missing] }
  }

  async update(patch: UpdateHomeLayoutRequest, expected: number | undefined): Promise<HomeLayout> {
    return this.#edit(expected, (l) => {
      const byId = new Map(l.banners.map((b) => [b.id, b]))
      const unknown = patch.banners?.find((b) => !byId.has(b.id))
      if (unknown)
        throw new ProblemError('validation_failed', {
          errors: [{ pointer: '/banners', detail: `unknown banner ${unknown.id}` }],
        })
      return {
        sections: patch.sections ?? l.sections,
        banners: patch.banners
          ? patch.banners.map((b) => ({ ...byId.get(b.id)!, alt: b.alt, href: b.href }))
          : l.banners,
      }
    })
  }

  /** Adds a banner at the end of the strip; it shows once it has an image. */
  async addBanner(req: NewBannerRequest, expected: number | undefined): Promise<HomeLayout> {
    return this.#edit(expected, (l) => {
      if (l.banners.length >= maxBanners)
        throw new ProblemError('validation_failed', {
          errors: [{ pointer: '/banners', detail: `at most ${maxBanners} banners` }],
        })
      return { banners: [...l.banners, { id: this.#ulid(), alt: req.alt, href: req.href, image: null }] }
    })
  }

  async setBannerImage(id: string, image: { blob: string; mediaType: string }): Promise<HomeLayout> {
    return this.#edit(undefined, (l) => {
      if (!l.banners.some((b) => b.id === id)) throw new ProblemError('not_found')
      return { banners: l.banners.map((b) => (b.id === id ? { ...b, image } : b)) }
    })
  }

  /** Image blobs the layout refers to (kept by the blob collector). */
  async referencedBlobs(): Promise<Set<string>> {
    return new Set((await this.layout()).banners.flatMap((b) => (b.image ? [b.image.blob] : [])))
  }

  async #edit(
    expected: number | undefined,
    change: (l: HomeLayout) => Partial<Pick<HomeLayout, 'sections' | 'banners'>>,
  ): Promise<HomeLayout> {
    return this.#mutex.run(async () => {
      const current = await this.layout()
      if (expected !== undefined && expected !== current.revision) throw new ProblemError('precondition_failed')
      const next: HomeLayout = {
        ...current,
        ...change(current),
        revision: current.revision + 1,
        updatedAt: new Date(this.now()).toISOString(),
      }
      await this.storage.commit([putOp(this.#db, 'home', next)], { sync: true })
      return next
    })
  }
}
