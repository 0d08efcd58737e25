/**
 * Lighthouse (the npm package, pinned at 12.2.3: 13 needs Node 22) against a real node, on the
 * home page and a record page at phone size (Lighthouse's default mobile emulation and
 * simulated throttling): performance, accessibility and best practices must each score at
 * least 90 as the median of five runs. Lighthouse drives the same Debian Chromium as the other browser tests, launched by
 * playwright-core with a DevTools port open; no browser is downloaded. The figures are printed.
 *
 * Lighthouse's mobile CPU slowdown (4×) assumes a host of benchmark index ~1500; this machine's
 * two cores, shared with other builds, measure far lower, so the slowdown is calibrated the
 * way Lighthouse's docs/throttling.md says ("Calibrating multipliers", the CPU throttling
 * calculator's formula): the same target phone, reached from a slower host. The network stays
 * Lighthouse's slow-4G preset. The benchmark index and multiplier are printed with the scores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import lighthouse from 'lighthouse'
// The benchmark Lighthouse itself runs, and its own slow-4G network preset.
import { pageFunctions } from 'lighthouse/core/lib/page-functions.js'
import { throttling } from 'lighthouse/core/config/constants.js'
import { computeMedianRun, filterToValidRuns } from 'lighthouse/core/lib/median-run.js'
import type { Browser } from 'playwright-core'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { freePort } from '../../node/src/testing/free-port.js'
import { hasChromium, launch } from './browser.js'

const categories = ['performance', 'accessibility', 'best-practices'] as const
/**
 * Runs per page: Lighthouse's docs/variability.md suggests the median of five on a host that is
 * not quiet (three let one slow run in three decide the home's score on this 2-core machine).
 */
const runs = 5
type LhrOf = NonNullable<Awaited<ReturnType<typeof lighthouse>>>['lhr']

/** Lighthouse's CPU throttling calculator: the slowdown that turns a host of `index` into its target phone. */
function slowdownFor(index: number): number {
  if (index >= 1300) return 3 + (index - 1300) / 233
  if (index >= 800) return 2 + (index - 800) / 500
  if (index >= 150) return 1 + (index - 150) / 650
  return 1
}

describe.skipIf(!hasChromium)('Lighthouse at phone size', () => {
  let t: TempNode
  let browser: Browser
  let port: number
  let id: string
  let benchmarkIndex: number

  beforeAll(async () => {
    t = await startTempNode({ name: '县图书馆' })
    const staff = await signedInAdmin(t)
    for (const [title, creator] of [
      ['春江花月夜', '张若虚'],
      ['唐诗三百首', '蘅塘退士'],
      ['乡土中国', '费孝通'],
    ] as const) {
      const created = await staff.post('/api/staff/resources', {
        type: 'book',
        metadata: { title, creators: [creator], subjects: ['文学'], description: `${title}，${creator}著。` },
      })
      await staff.post(`/api/staff/resources/${created.body.id}/publish`)
      id ??= created.body.id
    }
    port = await freePort()
    browser = await launch([`--remote-debugging-port=${port}`, '--remote-debugging-address=127.0.0.1'])
    const page = await browser.newPage()
    const runs: number[] = []
    for (let i = 0; i < 3; i++) runs.push(await page.evaluate(pageFunctions.computeBenchmarkIndex))
    benchmarkIndex = runs.sort((a, b) => a - b)[1]!
    await page.close()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  for (const [name, path, heldPerformance] of [
    ['home', () => '/', true],
    ['record page', () => `/r/${id}`, true],
  ] as const) {
    const what = heldPerformance
      ? 'performance, accessibility and best practices'
      : 'accessibility and best practices (performance printed)'
    it(`scores ≥ 90 for ${what} on the ${name} (the median of ${runs} runs)`, async () => {
      const lhrs: LhrOf[] = []
      for (let run = 0; run < runs; run++) {
        // Calibrated to the host as it is during the run. Lighthouse takes its own benchmark as
        // the run starts; when the slowdown that benchmark calls for differs from the one used by
        // more than a tenth, the run did not emulate the target phone (one CI run scored 89 on
        // this page with runs at 4× on a host Lighthouse measured at 1,430, where the calculator
        // says 3.56×: a phone 12% slower than the target), so it is made again with the slowdown
        // for the index Lighthouse measured, three times at most. The index measured carries over
        // to the next run and page: the host's speed now says more than the calibration's earlier.
        let result: Awaited<ReturnType<typeof lighthouse>>
        for (let attempt = 1; ; attempt++) {
          const slowdown = Math.min(4, slowdownFor(benchmarkIndex))
          result = await lighthouse(`${t.node.url}${path()}`, {
            port,
            output: 'json',
            logLevel: 'error',
            onlyCategories: [...categories],
            locale: 'zh',
            throttling: { ...throttling.mobileSlow4G, cpuSlowdownMultiplier: slowdown },
          })
          const measured = result?.lhr.environment.benchmarkIndex ?? benchmarkIndex
          benchmarkIndex = measured
          const wanted = Math.min(4, slowdownFor(measured))
          if (attempt === 3 || Math.abs(wanted - slowdown) <= slowdown * 0.1) break
          console.log(
            `Lighthouse measured the host at ${Math.round(measured)}: ${slowdown.toFixed(2)}× was not its slowdown, again at ${wanted.toFixed(2)}×`,
          )
        }
        expect(result).toBeDefined()
        lhrs.push(result!.lhr)
      }
      // Several runs on a noisy host, as Lighthouse's docs/variability.md advises: each category is
      // held at the median of its scores (Lighthouse CI's "median" aggregation). The report kept
      // and printed is the run Lighthouse's computeMedianRun picks (nearest the median first paint
      // and time to interactive), which need not be the run with the median score.
      const scoreOf = (l: LhrOf, c: (typeof categories)[number]) => Math.round((l.categories[c]?.score ?? 0) * 100)
      const performance = lhrs.map((l) => scoreOf(l, 'performance'))
      const lhr = computeMedianRun(filterToValidRuns(lhrs))
      const dir = join(process.cwd(), 'test-artifacts', 'lighthouse')
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, `${name.replace(/\W+/g, '-')}.json`), JSON.stringify(lhr, null, 1))
      const scores = Object.fromEntries(
        categories.map((c) => [c, lhrs.map((l) => scoreOf(l, c)).sort((a, b) => a - b)[(runs - 1) / 2]!]),
      )
      // The closing note quotes these figures.
      console.log(
        `Lighthouse ${lhr.lighthouseVersion} ${name} (${path()}), median scores of ${runs} runs:`,
        JSON.stringify(scores),
        `(performance of each run: ${performance.join(', ')});`,
        `the median run: benchmark index ${Math.round(lhr.environment.benchmarkIndex)}, CPU slowdown ${lhr.configSettings.throttling.cpuSlowdownMultiplier.toFixed(2)}×, performance ${scoreOf(lhr, 'performance')}`,
      )
      const failing = Object.values(lhr.audits)
        .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative')
        .map((a) => `${a.id} (${a.score})`)
      if (failing.length) console.log(`  audits below 0.9: ${failing.join(', ')}`)
      // Where each run's performance went: the metrics Lighthouse scores, in ms.
      const metric = (l: LhrOf, id: string) => Math.round(l.audits[id]?.numericValue ?? NaN)
      for (const l of lhrs)
        console.log(
          `  run: performance ${scoreOf(l, 'performance')}, FCP ${metric(l, 'first-contentful-paint')}, LCP ${metric(l, 'largest-contentful-paint')}, TBT ${metric(l, 'total-blocking-time')}, SI ${metric(l, 'speed-index')} ms, CLS ${l.audits['cumulative-layout-shift']?.numericValue?.toFixed(3)}, CPU ${l.configSettings.throttling.cpuSlowdownMultiplier.toFixed(2)}×`,
        )
      expect(lhr.runtimeError).toBeUndefined()
      // Found by this test and fixed: the node sent its scripts uncompressed.
      expect(lhr.audits['uses-text-compression']?.score).toBe(1)
      // Found by this test and fixed later: the skip link's target sat in a shadow root, a visitor's
      // /api/me 401 was logged as a console error, and the language switch's name left out its word.
      // (No aria-label left to mismatch is "not applicable", a pass.)
      for (const id of ['skip-link', 'errors-in-console', 'label-content-name-mismatch']) {
        const a = lhr.audits[id]
        expect(a?.scoreDisplayMode === 'notApplicable' ? 1 : a?.score, id).toBe(1)
      }
      // Performance is held on both pages. The home's was printed and not held while its runs swung
      // 79–98 on this 2-core machine (one CI run's three: 92, 84, 92); held since the shell names
      // the home's chunks as module preloads and the median is of five runs.
      const held = heldPerformance ? categories : categories.filter((c) => c !== 'performance')
      for (const c of held) expect(scores[c], `${c} on the ${name}`).toBeGreaterThanOrEqual(90)
    }, 420_000)
  }
})
