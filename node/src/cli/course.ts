/**
 * @module cli/course
 * `shulin course add --title COURSE --lecture LECTURE --video FILE [--subtitles FILE.srt|.vtt]
 * [--chapters FILE.json] [--course ID] [--publish] [--data DIR]`: directly into the stopped
 * node's folder (the transcode is queued and runs when the node starts), or through the running
 * node's control API. The last line printed is `{"courseId":…,"lectureId":…}`.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { configFromEnv, NodeConfig } from '../config/config.js'
import { ProblemError } from '../http/problem.js'
import { stoppedNode } from '../services.js'
import { CourseAddAnswer, CourseAddRequest, courseAdd } from '../courses/add.js'
import { CliError, withNode } from './common.js'

export async function cmdCourse(
  args: string[],
  dataDirOf: (flag: string | undefined, env: Record<string, string | undefined>) => string,
  env: Record<string, string | undefined>,
  viaRunningNode: (dataDir: string, path: string, body: unknown) => Promise<unknown>,
  usageError: (message: string) => CliError,
): Promise<void> {
  const [sub, ...rest] = args
  if (sub !== 'add') throw usageError(sub ? `unknown course command ${sub}` : 'course needs a command: add')
  let values
  try {
    values = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        title: { type: 'string' },
        lecture: { type: 'string' },
        video: { type: 'string' },
        subtitles: { type: 'string' },
        chapters: { type: 'string' },
        course: { type: 'string' },
        publish: { type: 'boolean' },
        data: { type: 'string' },
      },
    }).values
  } catch (err) {
    throw usageError((err as Error).message)
  }
  if (!values.lecture) throw usageError('course add needs --lecture LECTURE')
  if (!values.video) throw usageError('course add needs --video FILE')
  if (!values.title && !values.course) throw usageError('course add needs --title COURSE (or --course ID)')
  const checked = CourseAddRequest.safeParse({
    lecture: values.lecture,
    video: resolve(values.video),
    publish: values.publish ?? false,
    ...(values.title !== undefined && { title: values.title }),
    ...(values.course !== undefined && { course: values.course }),
    ...(values.subtitles !== undefined && { subtitles: resolve(values.subtitles) }),
    ...(values.chapters !== undefined && { chapters: resolve(values.chapters) }),
  })
  if (!checked.success)
    throw usageError(checked.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'))
  const maxBytes = NodeConfig.shape.maxUploadBytes.safeParse(configFromEnv(env).maxUploadBytes).data ?? 2 * 1024 ** 3
  const dataDir = dataDirOf(values.data, env)
  const answer = await withNode(
    dataDir,
    false,
    async (folder) => {
      try {
        return await courseAdd(stoppedNode(folder).courses, checked.data, maxBytes)
      } catch (err) {
        if (err instanceof ProblemError)
          throw new CliError(
            [err.extra.detail ?? err.code, ...(err.extra.errors ?? []).map((e) => e.detail)].join('\n'),
            2,
          )
        throw err
      }
    },
    async () => CourseAddAnswer.parse(await viaRunningNode(dataDir, '/api/control/courses/add', checked.data)),
  )
  process.stdout.write(
    `${answer.existingCourse ? 'added to course' : 'made course'} ${answer.courseId}; lecture ${answer.lectureId} ` +
      `${checked.data.publish ? 'published' : 'saved as a draft'}; its video is queued for transcoding\n`,
  )
  process.stdout.write(JSON.stringify({ courseId: answer.courseId, lectureId: answer.lectureId }) + '\n')
}
