/**
 * Knowledge cards in Chromium on a phone (issue 22's done-when): a lecture page shows knowledge
 * cards drawn from its subtitles, linking to catalogue records — the lecture on 李白 links to
 * his poems; the work it names in 《》 opens its record, whose page lists the course as a
 * related course; the card's name opens the entity page with its relation graph, whose
 * d3-force chunk is fetched there and on no other page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, phone, shot } from './browser.js'

const vtt = `WEBVTT

00:00:01.000 --> 00:00:05.000
今天我们讲李白。

00:00:06.000 --> 00:00:10.000
李白的《静夜思》家喻户晓。

00:00:11.000 --> 00:00:15.000
李白与杜甫的友谊。
`

describe.skipIf(!hasChromium)('知识卡片 on a lecture page', () => {
  let t: TempNode
  let browser: Browser
  const id: Record<string, string> = {}
  /** Script chunks the page fetched whose name holds `part`. */
  const fetched = (page: Page, part: string) => {
    const urls: string[] = []
    page.on('request', (r) => r.url().includes(part) && urls.push(r.url()))
    return urls
  }

  /** WCAG 2.1 A and AA violations (axe-core), as a11y.test.ts audits the other pages. */
  const audit = async (page: Page) =>
    (await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`,
    )

  beforeAll(async () => {
    t = await startTempNode()
    const staff = await signedInAdmin(t)
    for (const [title, creator, date] of [
      ['靜夜思', '李白', '0726'],
      ['蜀道難', '李白', '0742'],
      ['春望', '杜甫', '0757'],
    ] as const) {
      const r = await staff.post('/api/staff/resources', {
        type: 'book',
        metadata: { title, creators: [creator], subjects: ['唐诗'], date },
      })
      id[title] = r.body.id
      expect((await staff.post(`/api/staff/resources/${r.body.id}/publish`)).status).toBe(200)
    }
    id.course = (await staff.post('/api/courses', { title: '唐诗名家' })).body.id
    id.lecture = (await staff.post(`/api/courses/${id.course}/lectures`, { title: '第一讲 诗仙' })).body.id
    const up = await staff.put(`/api/lectures/${id.lecture}/subtitles/zh?label=中文`, Buffer.from(vtt), {
      'content-type': 'text/vtt',
    })
    expect(up.status).toBe(200)
    expect((await staff.post(`/api/courses/${id.course}/publish`)).status).toBe(200)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('links a lecture on 李白 to his works, and his card to the entity page and its graph', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    const graphChunks = fetched(page, 'entity-graph')
    await page.goto(`${t.node.url}/lectures/${id.lecture}`)
    await page.getByRole('heading', { name: '知识卡片' }).waitFor()
    const cards = page.locator('shulin-lecture-cards')
    // His card lists his poems from the catalogue (catalogued in Traditional characters).
    const libai = cards.locator('article[data-kind="person"]').filter({ hasText: '李白' })
    await libai.getByRole('link', { name: /靜夜思/ }).waitFor()
    await expect(libai.getByRole('link', { name: /蜀道難/ }).count()).resolves.toBe(1)
    await expect(cards.locator('article[data-kind="person"]').filter({ hasText: '杜甫' }).count()).resolves.toBe(1)
    await libai.scrollIntoViewIfNeeded()
    await shot(page, 'cards-lecture-phone')
    expect(await audit(page)).toEqual([])
    expect(graphChunks).toEqual([])

    // The work named in 《》 is a keyword opening its record; its page lists the course.
    await cards.getByRole('link', { name: '静夜思', exact: true }).click()
    await page.waitForURL(`${t.node.url}/r/${id['靜夜思']}`)
    await page.getByRole('heading', { name: '靜夜思', level: 1 }).waitFor()
    const related = page.locator('shulin-related')
    await related.getByRole('heading', { name: '相关课程' }).waitFor()
    await related.getByRole('link', { name: /唐诗名家/ }).waitFor()
    await expect(related.getByRole('link', { name: /蜀道難/ }).count()).resolves.toBe(1)
    expect(await audit(page)).toEqual([])
    expect(graphChunks).toEqual([])

    // The card's name opens the entity page: works, a timeline, and the graph (its chunk now).
    await page.goBack()
    await page.locator('shulin-lecture-cards').getByRole('link', { name: '李白', exact: true }).first().click()
    await page.waitForURL(`${t.node.url}/entity/person/${encodeURIComponent('李白')}`)
    await page.getByRole('heading', { name: '李白', level: 1 }).waitFor()
    const graph = page.locator('shulin-entity-graph svg')
    await graph.waitFor()
    expect(await graph.locator('a').count()).toBeGreaterThanOrEqual(4)
    await expect(page.getByRole('heading', { name: '年表' }).count()).resolves.toBe(1)
    expect(graphChunks.length).toBe(1)
    await shot(page, 'cards-entity-phone')
    expect(await audit(page)).toEqual([])
    // A neighbour in the graph is a link to its own card.
    await graph.locator('a[data-key="person:杜甫"]').click()
    await page.waitForURL(`${t.node.url}/entity/person/${encodeURIComponent('杜甫')}`)
    await page.getByRole('link', { name: /春望/ }).first().waitFor()
  }, 90_000)
})
