/**
 * @module stats/sources
 * Where SUSHI reports read from: a node's own daily aggregates (every title it serves), or,
 * at the hub, the members' roll-ups (platform totals of the nation or of one member, titles
 * from each day's top list, the only per-title figures a roll-up carries).
 */
import { addInto, zeroCounts, type MemberEntry, type MetricCounts, type Resource } from '@shulin/protocol'
import type { StatsService } from './service.js'
import type { HubStats } from './hub.js'
import type { SushiSource, SushiTitle } from './sushi-routes.js'

const dataTypes: Record<string, string> = {
  book: 'Book',
  audiobook: 'Multimedia',
  video: 'Multimedia',
  'image-set': 'Image',
  journal: 'Journal',
  'journal-issue': 'Journal',
  article: 'Article',
}

function bump(map: Map<string, MetricCounts>, month: string, c: Partial<MetricCounts>) {
  map.set(month, addInto(map.get(month) ?? zeroCounts(), { ...zeroCounts(), ...c }))
}

export function nodeSushiSource(opts: {
  stats: StatsService
  resources: { getMany(ids: string[]): Promise<Array<Resource | undefined>> }
  nodeId: string
  name: string
}): SushiSource {
  return {
    platform: opts.name,
    async institution(customerId) {
      return !customerId || customerId === opts.nodeId ? { name: opts.name, id: opts.nodeId } : undefined
    },
    async months(from, to) {
      const out = new Map<string, MetricCounts>()
      for (const d of await opts.stats.days(from, to)) bump(out, d.day.slice(0, 7), d.totals)
      return out
    },
    async titles(from, to) {
      const per = new Map<string, Map<string, MetricCounts>>()
      for (const d of await opts.stats.days(from, to)) {
        for (const [id, c] of Object.entries(d.titles)) {
          const m = per.get(id) ?? new Map<string, MetricCounts>()
          bump(m, d.day.slice(0, 7), c)
          per.set(id, m)
        }
      }
      const ids = [...per.keys()]
      const records = await opts.resources.getMany(ids)
      return ids.map((id, i): SushiTitle => {
        const r = records[i]
        const isbn = r?.metadata.identifiers.find((x) => x.startsWith('urn:isbn:'))?.slice(9)
        const issn = r?.metadata.identifiers.find((x) => x.startsWith('urn:issn:'))?.slice(9)
        return {
          id,
          title: r?.metadata.title ?? id,
          identifiers: [
            { Type: 'Proprietary', Value: `shulin:${id}` },
            ...(isbn ? [{ Type: 'ISBN', Value: isbn }] : []),
            ...(issn ? [{ Type: 'Online_ISSN', Value: issn }] : []),
          ],
          publisher: r?.metadata.publisher ?? '',
          dataType: dataTypes[r?.type ?? ''] ?? 'Other',
          yop: r?.metadata.date?.slice(0, 4) ?? '',
          perMonth: per.get(id)!,
        }
      })
    },
  }
}

export function hubSushiSource(opts: {
  hub: HubStats
  members: () => MemberEntry[]
  nodeId: string
  name: string
}): SushiSource {
  const member = (id: string | undefined) =>
    id && id !== opts.nodeId ? opts.members().find((m) => m.nodeId === id) : undefined
  return {
    platform: opts.name,
    async institution(customerId) {
      if (!customerId || customerId === opts.nodeId) return { name: opts.name, id: opts.nodeId }
      const m = member(customerId)
      return m ? { name: m.name, id: m.nodeId } : undefined
    },
    async months(from, to, customerId) {
      const out = new Map<string, MetricCounts>()
      const m = member(customerId)
      if (m) for (const r of await opts.hub.memberDays(m.nodeId, from, to)) bump(out, r.day.slice(0, 7), r.totals)
      else for (const { day, agg } of await opts.hub.scopeDays('all', from, to)) bump(out, day.slice(0, 7), agg.totals)
      return out
    },
    async titles(from, to, customerId) {
      const m = member(customerId)
      const per = new Map<string, { title: string; perMonth: Map<string, MetricCounts> }>()
      for (const node of m ? [m] : opts.members()) {
        for (const r of await opts.hub.memberDays(node.nodeId, from, to)) {
          for (const t of r.top) {
            const key = `${node.nodeId}:${t.id}`
            const row = per.get(key) ?? { title: t.title, perMonth: new Map() }
            bump(row.perMonth, r.day.slice(0, 7), {
              Total_Item_Investigations: t.investigations,
              Total_Item_Requests: t.requests,
            })
            per.set(key, row)
          }
        }
      }
      return [...per].map(([key, row]) => ({
        id: key,
        title: row.title,
        identifiers: [{ Type: 'Proprietary', Value: `shulin:${key}` }],
        publisher: '',
        dataType: 'Other',
        yop: '',
        perMonth: row.perMonth,
      }))
    },
    async members() {
      return opts.members().map((m) => ({
        Customer_ID: m.nodeId,
        Name: m.name,
        Notes: `${m.level} ${m.region} ${m.status}`,
        Institution_ID: [{ Type: 'Proprietary', Value: `shulin:${m.nodeId}` }],
      }))
    },
  }
}
