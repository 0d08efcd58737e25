/**
 * @module cli/import
 * `shulin import FILE`: reads resource records from a file into the node — directly when the
 * node is stopped, through its control API when it runs. A progress bar on a terminal (by
 * bytes read), then the report; refused lines go to stderr or to `--report FILE` as JSON.
 */
import { createReadStream } from 'node:fs'
import { stat, writeFile } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { parseArgs } from 'node:util'
import { ImportReport, type ImportReport as Report } from '@shulin/protocol'
import { stoppedNode } from '../services.js'
import { ImportOptions, formatFromName, readImport } from '../resources/import/formats.js'
import { importInto } from '../resources/import/service.js'
import { CliError, runningNodeControl, withNode } from './common.js'

interface Bar {
  update(bytes: number, counts: string): void
  stop(): void
}

async function progressBar(totalBytes: number): Promise<Bar> {
  if (!process.stderr.isTTY) return { update() {}, stop() {} }
  const { SingleBar, Presets } = await import('cli-progress')
  const bar = new SingleBar(
    { stream: process.stderr, format: '导入 import [{bar}] {percentage}% · {counts}', hideCursor: true },
    Presets.shades_classic,
  )
  bar.start(totalBytes, 0, { counts: '' })
  return { update: (bytes, counts) => bar.update(bytes, { counts }), stop: () => bar.stop() }
}

/** Counts the bytes that pass, for the progress bar. */
function meter(onBytes: (n: number) => void): Transform {
  let n = 0
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      n += chunk.length
      onBytes(n)
      done(null, chunk)
    },
  })
}

export async function cmdImport(
  args: string[],
  dataDirOf: (flag: string | undefined, env: Record<string, string | undefined>) => string,
  env: Record<string, string | undefined>,
  usageError: (message: string) => CliError,
): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string' },
        format: { type: 'string' },
        map: { type: 'string' },
        delimiter: { type: 'string' },
        flavour: { type: 'string' },
        report: { type: 'string' },
        channel: { type: 'string' },
      },
    })
  } catch (err) {
    throw usageError((err as Error).message)
  }
  const { values, positionals } = parsed
  const file = positionals[0]
  if (!file || positionals.length > 1) throw usageError('import needs exactly one FILE')
  const format = values.format ?? formatFromName(file)
  if (!format) throw usageError(`cannot tell the format of ${file} from its name: give --format jsonl|csv|marc|marcxml`)
  const checked = ImportOptions.safeParse({
    format,
    ...(values.map !== undefined && { map: values.map }),
    ...(values.delimiter !== undefined && { delimiter: values.delimiter === '\\t' ? '\t' : values.delimiter }),
    ...(values.flavour !== undefined && { flavour: values.flavour }),
    ...(values.channel !== undefined && { channel: values.channel }),
  })
  if (!checked.success)
    throw usageError(checked.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'))
  const options = checked.data
  const size = await stat(file).then(
    (s) => s.size,
    (err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${file}: ${err.code ?? err.message}`)
    },
  )
  const dataDir = dataDirOf(values.data, env)
  const bar = await progressBar(size)
  let bytes = 0
  const source = () => createReadStream(file).pipe(meter((n) => (bytes = n)))
  let report: Report
  try {
    report = await withNode(
      dataDir,
      false,
      async (folder) => {
        const node = stoppedNode(folder)
        let items
        try {
          items = readImport(source(), options)
        } catch (err) {
          throw usageError((err as Error).message)
        }
        const onProgress = (p: { created: number; updated: number; unchanged: number; rejected: number }) =>
          bar.update(bytes, `新增 ${p.created} · 更新 ${p.updated} · 未变 ${p.unchanged} · 拒绝 ${p.rejected}`)
        // Channels only with `--channel`: a plain import needs none of their catalogs and stores.
        const channels = options.channel ? node.channels() : undefined
        return importInto({ resources: node.resources, channels }, items, options, { onProgress })
      },
      () => viaControl(dataDir, source(), options, () => bar.update(bytes, '')),
    )
  } finally {
    bar.stop()
  }
  process.stdout.write(
    `imported ${file} (${report.format}): ${report.total} read · ${report.created} created · ${report.updated} updated · ${report.unchanged} unchanged · ${report.rejected} rejected · ${(report.ms / 1000).toFixed(1)} s\n`,
  )
  if (report.channel)
    process.stdout.write(
      `channel ${report.channel.name} (${report.channel.id}): ${report.channel.added} records published\n`,
    )
  if (values.report) await writeFile(values.report, JSON.stringify(report, null, 2) + '\n')
  else printRejects(report)
  if (report.rejected > 0) process.exitCode = 3
}

/** Shown on stderr without `--report`; more would scroll the summary out of sight. */
const listedRejects = 50

/**
 * The refused lines, framed by their real count: an operator reads the end of the output
 * first, so it must not look like a count ("… and 1 more" after 50 lines read as 2).
 */
function printRejects(report: Report): void {
  if (!report.rejected) return
  const shown = report.rejects.slice(0, listedRejects)
  process.stderr.write(`${report.rejected} refused:\n`)
  for (const r of shown) process.stderr.write(`  line ${r.n}: ${r.reason}\n`)
  if (report.rejected > shown.length)
    process.stderr.write(
      `  … ${report.rejected - shown.length} more not shown, ${report.rejected} refused in all (use --report FILE for all of them)\n`,
    )
}

/** Streams the file to the running node's control API. */
async function viaControl(dataDir: string, body: Readable, options: ImportOptions, tick: () => void): Promise<Report> {
  const control = await runningNodeControl(dataDir)
  const query = new URLSearchParams(
    Object.entries(options).filter((e): e is [string, string] => typeof e[1] === 'string'),
  )
  const timer = setInterval(tick, 200)
  try {
    const res = await fetch(`${control.url}/api/control/import?${query}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        authorization: `Shulin-Control ${control.token}`,
        'accept-language': 'en',
      },
      body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit)
    const json = (await res.json().catch(() => ({}))) as unknown
    if (!res.ok) {
      const p = json as { title?: string; detail?: string; errors?: Array<{ pointer: string; detail: string }> }
      throw new CliError(
        [p.title ?? `HTTP ${res.status}`, p.detail, ...(p.errors ?? []).map((e) => `${e.pointer}: ${e.detail}`)]
          .filter(Boolean)
          .join('\n'),
      )
    }
    return ImportReport.parse(json)
  } catch (err) {
    if (err instanceof CliError) throw err
    throw new CliError(`Cannot import through the running node at ${control.url}: ${(err as Error).message}`)
  } finally {
    clearInterval(timer)
  }
}
