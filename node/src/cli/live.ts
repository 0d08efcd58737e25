/**
 * @module cli/live
 * `shulin live add --title T --start ISO8601 [--course ID] [--description TEXT] [--speaker NAME]…
 * [--access public|node-readers|member-readers|staff] [--data DIR]`: schedules a live lecture,
 * directly in the stopped node's folder or through the running node's control API (as `shulin
 * course add` does). The last line printed is `{"liveId":…,"rtmpUrl":…,"streamKey":…}`; the
 * encoder pushes to `rtmpUrl/streamKey`. The key is shown this once (the node keeps its hash).
 */
import { parseArgs } from 'node:util'
import { CreateLiveRequest, type LiveCreated } from '@shulin/protocol'
import { configFromEnv, NodeConfig } from '../config/config.js'
import { ProblemError } from '../http/problem.js'
import { LiveService } from '../live/service.js'
import { LiveAddAnswer, liveAdd } from '../live/control-routes.js'
import { rtmpHost } from '../live/index.js'
import { rtmpApp } from '../live/ingest.js'
import { stoppedNode } from '../services.js'
import { CliError, withNode } from './common.js'

export async function cmdLive(
  args: string[],
  dataDirOf: (flag: string | undefined, env: Record<string, string | undefined>) => string,
  env: Record<string, string | undefined>,
  viaRunningNode: (dataDir: string, path: string, body: unknown) => Promise<unknown>,
  usageError: (message: string) => CliError,
): Promise<void> {
  const [sub, ...rest] = args
  if (sub !== 'add') throw usageError(sub ? `unknown live command ${sub}` : 'live needs a command: add')
  let values
  try {
    values = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        title: { type: 'string' },
        start: { type: 'string' },
        course: { type: 'string' },
        description: { type: 'string' },
        speaker: { type: 'string', multiple: true },
        access: { type: 'string' },
        data: { type: 'string' },
      },
    }).values
  } catch (err) {
    throw usageError((err as Error).message)
  }
  if (!values.title) throw usageError('live add needs --title TITLE')
  if (!values.start) throw usageError('live add needs --start ISO8601 (e.g. 2026-12-03T20:00:00+08:00)')
  const checked = CreateLiveRequest.safeParse({
    title: values.title,
    start: values.start,
    speakers: (values.speaker ?? []).map((name) => ({ name })),
    ...(values.course !== undefined && { course: values.course }),
    ...(values.description !== undefined && { description: values.description }),
    ...(values.access !== undefined && { access: values.access }),
  })
  if (!checked.success)
    throw usageError(checked.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'))
  const dataDir = dataDirOf(values.data, env)
  const answer = await withNode(
    dataDir,
    false,
    async (folder): Promise<LiveAddAnswer> => {
      // The stopped node's RTMP address is what its settings will give when it starts.
      const fromEnv = configFromEnv(env)
      const port = NodeConfig.shape.rtmpPort.safeParse(fromEnv.rtmpPort).data ?? 1935
      const host = fromEnv.publicUrl ? rtmpHost(fromEnv.publicUrl) : '127.0.0.1'
      const live = new LiveService({
        storage: folder.storage,
        dataDir: folder.dir,
        nodeId: folder.key.nodeId,
        nodeName: () => '',
        rtmpUrl: () => `rtmp://${host}:${port}/${rtmpApp}`,
      })
      try {
        const created: LiveCreated = await liveAdd(live, stoppedNode(folder).courses.service, checked.data)
        return { ...created, ingest: null }
      } catch (err) {
        if (err instanceof ProblemError)
          throw new CliError(
            [err.extra.detail ?? err.code, ...(err.extra.errors ?? []).map((e) => e.detail)].join('\n'),
            2,
          )
        throw err
      }
    },
    async () => LiveAddAnswer.parse(await viaRunningNode(dataDir, '/api/control/live', checked.data)),
  )
  process.stdout.write(
    `scheduled live lecture ${answer.liveId} (${checked.data.start}); the stream key is shown this once\n`,
  )
  if (answer.ingest) process.stderr.write(`warning: ${answer.ingest}\n`)
  process.stdout.write(
    JSON.stringify({ liveId: answer.liveId, rtmpUrl: answer.rtmpUrl, streamKey: answer.streamKey }) + '\n',
  )
}
