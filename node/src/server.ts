/**
 * @module server
 * Starts a library node: opens (or initialises) its data folder, composes the node's
 * components once (the one composition root; CLI commands run with the node stopped reuse its
 * parts from services.ts), starts them with one lifecycle, and stops them in reverse.
 *
 * Over 400 lines on purpose: it is the one place where the node's services, routes and
 * components are declared (composeServices, httpApp, nodeComponents), one concern a function.
 *
 * @example
 * ```ts
 * const node = await startNode({ dataDir: '/tmp/x', port: 8090 })
 * console.log(node.url) // http://127.0.0.1:8090
 * await node.close()
 * ```
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Context, Hono } from 'hono'
import { NodeConfig, type NodeConfigInput } from './config/config.js'
import { openDataFolder, dataPaths, type OpenedDataFolder } from './storage/data-folder.js'
import { watchStorageSpace } from './storage/space-watch.js'
import { createLogger, type Logger } from './logger.js'
import { sip2Routes } from './sip2/routes.js'
import { createApp, tlsResolver } from './http/app.js'
import type { AppEnv } from './http/env.js'
import { ProblemError } from './http/problem.js'
import { HttpAuth } from './sessions/http-auth.js'
import { accountRoutes } from './accounts/routes.js'
import { consoleCodeSender, type CodeSender } from './accounts/code-sender.js'
import type { SmsServiceOptions } from './sms/service.js'
import { smsRoutes } from './sms/routes.js'
import { staffRoutes } from './staff/routes.js'
import { realNameRoutes } from './staff/real-name-routes.js'
import { nodeSettingsRoutes } from './staff/node-settings.js'
import { setupRoutes } from './setup/routes.js'
import { controlRoutes } from './control/routes.js'
import { removeControlFile, writeControlFile } from './control/control-file.js'
import { writeBackup } from './backup/backup.js'
import { BackupSchedule } from './backup/schedule.js'
import { backupRoutes } from './backup/routes.js'
import { DiskWatch } from './storage/disk.js'
import { Readiness } from './health/ready.js'
import { NodeMetrics } from './metrics/metrics.js'
import { metricsRoutes } from './metrics/routes.js'
import { LibraryProfileService } from './library/profile.js'
import { libraryRoutes, logoUploadPath, maxLogoBytes } from './library/routes.js'
import { Alerts } from './alerts/alerts.js'
import { VersionCheck } from './upgrade/version-check.js'
import type { RuntimeAdapter, RunningServer } from './runtime/adapter.js'
import { shulinVersion } from './version.js'
import { buildChannels, buildSearch, buildServices, type NodeServices } from './services.js'
import { Lifecycle, type Startable } from './lifecycle/index.js'
import { resourceRoutes } from './resources/routes.js'
import { fileRoutes, uploadPath } from './resources/files/routes.js'
import { coverRoutes } from './resources/cover/routes.js'
import { collectionCoverPath, collectionRoutes } from './collections/routes.js'
import { bannerImagePath, portalRoutes } from './portal/routes.js'
import { oaiPmhRoutes } from './oai/oai-pmh.js'
import { opdsRoutes } from './opds/opds.js'
import { baseUrlResolver, NodeOrigins } from './http/base-url.js'
import { proxyTrust } from './http/proxy.js'
import { readingRoutes } from './reading/routes.js'
import { kosyncRoutes } from './kosync/routes.js'
import { inboxRoutes } from './inbox/routes.js'
import { notifyRoutes } from './notify/routes.js'
import { subscriptionRoutes } from './subscriptions/routes.js'
import { watchedRoutes } from './stats/watched.js'
import { embedRoutes } from './embed/routes.js'
import { sharePageRoutes } from './resources/share-page.js'
import { buildEvents, eventRoutes } from './activities/events/index.js'
import { ActivityPhaseWatcher } from './notify/activity-phases.js'
import { importRoutes } from './resources/import/routes.js'
import { searchRoutes } from './search/routes.js'
import { createSearchEngine } from './search/create.js'
import type { SearchEngine } from './search/engine.js'
import type { SearchService } from './search/service.js'
import { webUiRoutes } from './http/web-ui.js'
import { LinkedData } from './ld/service.js'
import { LdDumps } from './ld/dumps.js'
import { ldRoutes } from './ld/routes.js'
import { SparqlStore } from './ld/sparql/store.js'
import { sparqlRoutes } from './ld/sparql/routes.js'
import { FederationError, FederationService } from './federation/service.js'
import { federationRoutes } from './federation/routes.js'
import { contentRoutes } from './distribution/routes.js'
import { NetworkSearch } from './search/network.js'
import { channelRoutes } from './channels/routes.js'
import { createStats, type Stats } from './stats/index.js'
import { createRecommend, recommendRoutes } from './recommend/index.js'
import { cardRoutes, createCards } from './ld/cards/index.js'
import { createIdentity } from './identity/index.js'
import { identityRoutes } from './identity/routes.js'
import { directoryRoutes } from './identity/directory-routes.js'
import { loadProviders, type ProviderConfig } from './identity/third-party/providers.js'
import { ThirdPartySignIn } from './identity/third-party/service.js'
import { thirdPartyRoutes } from './identity/third-party/routes.js'
import { createWechat, wechatChannel, wechatRoutes, type Wechat } from './wechat/index.js'
import { maxMessageBytes as wechatMaxBytes } from './wechat/message.js'
import { courseCoverPath, courseRoutes } from './courses/routes.js'
import { lectureRoutes, lectureUploadPath } from './courses/lecture-routes.js'
import { lectureServeRoutes } from './courses/serve.js'
import { TranscodeQueue } from './courses/transcode/queue.js'
import { courseControlRoutes } from './courses/control-routes.js'
import { harvestControlRoutes } from './harvest/control-routes.js'
import { harvestRoutes } from './harvest/routes.js'
import { Live, rtmpHost } from './live/index.js'
import { liveRoutes } from './live/routes.js'
import { RoomService } from './live/room/index.js'
import { createLiveRelay } from './live/relay/index.js'
import { liveRelayRoutes } from './live/relay/routes.js'
import { roomRoutes } from './live/room/routes.js'
import { roomLectures } from './live/room/lectures.js'
import { ActivitiesService, voterOf } from './activities/service.js'
import { AudioQueue } from './activities/queue.js'
import { activityRoutes, entryUploadPath, modelUploadPath } from './activities/routes.js'
import { liveControlRoutes } from './live/control-routes.js'
import { createActivitiesNetwork, refuseRemoteLikes } from './activities/network/index.js'
import { NewsService } from './news/service.js'
import { HubNews } from './news/network.js'
import { newsImages, newsImageUploadPath, newsRoutes } from './news/routes.js'

export interface StartOptions {
  runtime?: RuntimeAdapter
  /** Where one-time codes go; the console (log) sender by default. */
  codeSender?: CodeSender
  /** SMS sending's timing and, in tests, where the Tencent SDK connects. */
  sms?: Pick<SmsServiceOptions, 'timeoutMs' | 'outbox' | 'tencentAgent'>
  logger?: Logger
  /** Where the start banner (URL, setup link) is written; stderr by default. */
  print?: (line: string) => void
  /** Records per OAI-PMH page (tests page through a few records). */
  oaiPageSize?: number
  /** Entries per OPDS page. */
  opdsPageSize?: number
  /**
   * The node's clock: every timestamp it writes and every time it checks (sessions, throttling,
   * tokens, tickets, invites, roll-ups) reads it. Tests move it forward or skew it.
   */
  now?: () => number
  /** How often a member pushes waiting roll-ups to the hub (ms; a minute by default). */
  statsPushIntervalMs?: number
  /** How often alert conditions (low disk, hub unreachable) are checked (ms; a minute by default). */
  alertCheckMs?: number
  /** Tests only: the version this node tells its hub and members (upgrade notices), instead of its own. */
  version?: string
  /** Tests only: how long a live lecture waits for an encoder that dropped (5 minutes by default). */
  liveGraceMs?: number
  /** Tests only: how long a WeChat text search may take before the text fallback (3 s by default). */
  wechatDeadlineMs?: number
}

export interface RunningNode {
  readonly url: string
  readonly port: number
  readonly nodeId: string
  readonly dataDir: string
  /** Set when the node has no admin yet: open it to create one. */
  readonly setupUrl: string | null
  readonly app: Hono<AppEnv>
  /** The node's modules (tests and in-process tools use them directly). */
  readonly services: NodeServices
  readonly search: SearchService
  /** Usage statistics (tests move the clock and aggregate). */
  readonly stats: Stats
  /** The live lectures' rooms (tests count subscribers, the relay submits and applies). */
  readonly rooms: RoomService
  /** Live lectures: the service, the RTMP ingest, reminders and replays. */
  readonly live: Live
  /** The WeChat official account (its API client sends template messages). */
  readonly wechat: Wechat
  /** News (tests take in a hub's post directly). */
  readonly news: NewsService
  /** Activity phase notices (tests move the clock and look). */
  readonly activityPhases: ActivityPhaseWatcher
  close(): Promise<void>
}

const maxImportBytes = 32 * 1024 * 1024
/** Requests that write large files: refused under `--min-free-disk` (`storage/disk`). */
const largeWrites = [
  uploadPath,
  collectionCoverPath,
  bannerImagePath,
  /^\/api\/staff\/resources\/import$/,
  /^\/api\/staff\/readers\/import$/,
  /^\/api\/control\/import$/,
]
const shutdownGraceMs = 10_000
const blobGraceMs = 24 * 3_600_000

/**
 * Opens the data folder, declares the node's components and starts them in order (see
 * {@link Lifecycle}): the folder's stores, the HTTP server, the peer network and the services
 * on it, the control file. A failure part way stops what had started, in reverse; `close`
 * stops them all in reverse, the HTTP server first (it drains its requests in `beforeStop`).
 */
export async function startNode(input: NodeConfigInput, options: StartOptions = {}): Promise<RunningNode> {
  const config = NodeConfig.parse(input)
  // Tests only (SHULIN_CLOCK_SKEW_MS): the whole node runs as if its clock were that far off.
  const skew = config.clockSkewMs
  if (skew && !options.now) options = { ...options, now: () => Date.now() + skew }
  // Read before anything opens: a broken providers file stops the start with its reason.
  const providers = await loadProviders(config.oidcProviders)
  const runtime = options.runtime ?? (await import('./runtime/node.js')).nodeRuntime
  const print = options.print ?? ((line: string) => process.stderr.write(line + '\n'))
  const folder = await openDataFolder(config.dataDir, { create: true })
  const { storage, key } = folder
  let logger: Logger
  try {
    logger =
      options.logger ??
      createLogger(
        config.logLevel,
        { nodeId: key.nodeId },
        config.logFile ? { path: config.logFile, keep: config.logKeep } : undefined,
      )
  } catch (err) {
    await storage.close()
    throw err
  }
  const paths = dataPaths(config.dataDir)
  if (folder.migrated.length) logger.info({ versions: folder.migrated }, 'migrated data folder')
  let engine
  try {
    engine = await createSearchEngine(config, paths.search, key.nodeId)
  } catch (err) {
    await storage.close()
    throw err
  }
  const node = composeNode(folder, config, providers, engine, runtime, logger, options)
  const life = new Lifecycle(node.components)
  await life.start()
  const { url, server } = node.listening
  let setupUrl: string | null
  try {
    const setupToken = await node.services.setup.issueToken()
    setupUrl = setupToken ? `${url}/setup#token=${setupToken}` : null
  } catch (err) {
    await life.stop().catch(() => {})
    throw err
  }

  logger.info(
    {
      url,
      role: config.role,
      dataDir: paths.dir,
      version: shulinVersion,
      runtime: runtime.name,
      created: folder.created,
    },
    'node started',
  )
  print(`书林 Shulin ${shulinVersion} · ${config.role} · ${config.name}`)
  print(`  node id : ${key.nodeId}`)
  print(`  data    : ${paths.dir}`)
  print(`  open    : ${url}`)
  print(`  peers   : ${node.federation.listenAddrs()[0] ?? 'not started (joins a hub with: shulin join INVITE)'}`)
  if (setupUrl) print(`  setup   : ${setupUrl}   (one-time link: create the first admin)`)

  let closing: Promise<void> | undefined
  return {
    url,
    port: server.port,
    nodeId: key.nodeId,
    dataDir: paths.dir,
    setupUrl,
    app: node.app,
    services: node.services,
    search: node.search,
    stats: node.stats,
    rooms: node.rooms,
    live: node.live,
    wechat: node.wechat,
    news: node.news,
    activityPhases: node.activityPhases,
    close() {
      closing ??= life.stop().then(() => logger.info('node stopped'))
      return closing
    },
  }
}

/** The HTTP server's state, shared by the parts that read it before it listens. */
interface HttpState {
  /** Its address and server once it listens (port 0 in the configuration picks one). */
  listening?: { url: string; server: RunningServer }
  /** Once every component has started: a close then waits for requests in flight. */
  running?: boolean
  /** Set when the close begins: new requests are refused (createApp's isShuttingDown). */
  shuttingDown: boolean
}

/**
 * The running node's services, each built once from the parts it needs and declared before
 * what uses it. Nothing here opens a socket or starts a timer: the lifecycle does, at start.
 */
function composeServices(
  folder: OpenedDataFolder,
  config: NodeConfig,
  providers: ProviderConfig[],
  engine: SearchEngine,
  runtime: RuntimeAdapter,
  logger: Logger,
  options: StartOptions,
) {
  const { storage, key } = folder
  const now = options.now ?? Date.now
  const clock = options.now ? { now: options.now } : {}
  const services = buildServices(folder, {
    sender: options.codeSender ?? consoleCodeSender((line, fields) => logger.warn(fields, line)),
    passwordPolicy: config.passwordPolicy,
    logger,
    pushLoopbackHttp: config.testPushHttp === true,
    sip2Url: config.sip2Url,
    ...clock,
    ...(options.sms ? { sms: options.sms } : {}),
  })
  const { sessions, accounts, resources } = services
  const search = buildSearch(folder, services, engine, logger)
  // Name and public URL as the staff console last saved them (the flags until then).
  const profile = new LibraryProfileService({
    storage,
    flags: { name: config.name, publicUrl: config.publicUrl },
    role: config.role,
    now,
  })
  const publicUrl = () => profile.current().publicUrl ?? undefined
  // The web address is the HTTP server's, empty until it listens; the peer network starts after it.
  const http: HttpState = { shuttingDown: false }
  // Read on each use: a public URL saved in the console is the address given from then on.
  const httpUrl = (): string => (http.listening ? origins.primary() : '')
  const federation = new FederationService({
    storage,
    key,
    role: config.role,
    p2pPort: config.p2pPort,
    host: config.host,
    ...(config.announce?.length ? { announce: config.announce } : {}),
    ...(config.testBehindNat ? { behindNat: true } : {}),
    httpUrl,
    logger,
    ...clock,
  })
  const identity = createIdentity({
    key,
    storage,
    accounts: accounts.store,
    sessions,
    federation,
    logger,
    role: config.role,
    selfUrl: httpUrl,
    checkSeconds: config.visitorCheckSeconds,
    pullSeconds: config.directoryPullSeconds,
    ...clock,
  })
  // A reader verified at the desk counts at the hub's next pull, not after the counts' cache expires.
  services.realName.onChange(() => identity.directory.forgetCounts())
  const thirdParty = new ThirdPartySignIn({ providers, storage, accounts: accounts.store, logger, ...clock })
  // The WeChat official account: its searches go through this node's search service.
  const wechat = createWechat({
    storage,
    key,
    search,
    libraryName: () => profile.current().name,
    flagToken: config.wechatToken,
    apiUrl: config.wechatApiUrl,
    deadlineMs: options.wechatDeadlineMs,
    now,
  })
  const { channels, content } = buildChannels(folder, services, {
    federation,
    role: config.role,
    httpUrl,
    mirrorRate: config.mirrorRate,
    mirrorHours: config.mirrorHours,
    logger,
    now,
  })
  // Linked data (issue 22): URIs under the node's public origin; a taken-in record keeps its
  // publisher's (the registry's web address for it, else the one its channel records carry).
  const ld = new LinkedData({
    resources: resources.records,
    nodeId: key.nodeId,
    origin: () => origins.primary(),
    publisherOrigin: async (id) => federation.entry(id)?.http[0] ?? (await channels.publisherHttp(id)),
    libraryName: () => profile.current().name,
    logger,
  })
  const ldDumps = new LdDumps({ ld, dataDir: folder.dir, logger })
  // The SPARQL store follows the linked data; on the hub that is the union catalogue (it takes in
  // every channel it lists).
  const sparql = new SparqlStore({
    source: ld,
    timeLimitMs: config.sparqlTimeLimit * 1000,
    maxRows: config.sparqlMaxResults,
    idleMs: config.sparqlIdleRelease * 60_000,
    logger,
  })
  const networkSearch = new NetworkSearch({
    role: config.role,
    search,
    resources: resources.records,
    federation,
    channels,
    logger,
  })
  const stats = createStats({
    storage,
    resources: resources.records,
    key,
    role: config.role,
    name: config.name,
    federation,
    version: shulinVersion,
    logger,
    rawDays: config.statsRawDays,
    ...clock,
    ...(options.statsPushIntervalMs ? { pushIntervalMs: options.statsPushIntervalMs } : {}),
  })
  const recommend = createRecommend({
    storage,
    records: resources.records,
    reading: services.reading,
    collections: services.collections,
    stats,
    members: async () => (await federation.members()).filter((m) => m.nodeId !== key.nodeId),
    now,
    logger,
  })
  // What a place is, the linked data says (an activity's location): /ld/place/X and its card agree.
  const cards = createCards({
    records: resources.records,
    blobs: services.blobs,
    isPlace: async (id) => (await ld.describe('place', id)) !== null,
    logger,
  })

  // Runs what uploads (and `shulin course add` with the node stopped) queued.
  const transcodes = new TranscodeQueue({
    jobs: services.courses.jobs,
    courses: services.courses.service,
    blobs: services.blobs,
    tmpDir: join(folder.dir, 'tmp'),
    settings: {
      concurrency: config.transcodeConcurrency,
      timeoutSeconds: config.transcodeTimeout,
      maxSeconds: config.maxVideoDuration,
      maxHeight: config.maxVideoHeight,
      ffmpeg: config.ffmpeg,
      ffprobe: config.ffprobe,
    },
    logger,
    now,
  })

  // Reading activities (issue 20): recitation entries are normalised by their own small queue.
  const activities = new ActivitiesService({
    storage,
    nodeId: key.nodeId,
    library: () => ({ name: profile.current().name, region: federation.entry(key.nodeId)?.region ?? null }),
    notifier: services.notifier,
    ...clock,
  })
  // Activities are linked data too (events, recitation contests), from here on.
  ld.followActivities(activities)
  const audioQueue = new AudioQueue({
    activities,
    blobs: services.blobs,
    tmpDir: join(folder.dir, 'tmp'),
    ffmpeg: config.ffmpeg,
    ffprobe: config.ffprobe,
    logger,
  })
  // A disabled reader's likes leave the counts (the audit trail says so).
  services.accounts.onStatusChange(async (account) => {
    if (account.status === 'disabled') await activities.removeLikesOf(voterOf(account, key.nodeId).key, 'system')
  })
  // National activities across the network: from the hub to members, daily tallies back (act-network).
  const activitiesNetwork = createActivitiesNetwork({
    role: config.role,
    key,
    storage,
    activities,
    federation,
    content,
    blobs: services.blobs,
    logger,
    ...clock,
  })

  // News (issue 21): this library's posts, and on a member the hub's, signed into the `news` catalog.
  const news = new NewsService({ storage, nodeId: key.nodeId, library: () => profile.current().name, ...clock })
  const newsNetwork = new HubNews({
    role: config.role,
    key,
    news,
    catalog: (name) => federation.catalog(name),
    hubId: () => federation.hubNodeId(),
    publicUrl: () => config.publicUrl,
    logger,
  })
  const newsImageTypes = newsImages(storage)

  const proxy = proxyTrust(config)
  const viaProxy = (c: Context) => proxy.trusts(runtime.clientAddress(c))
  const isTls = tlsResolver({ publicUrl, viaProxy })
  // A member's own address is also the one the hub recorded for it at join (its registry entry).
  const origins = new NodeOrigins({
    publicUrl,
    host: config.host,
    viaProxy,
    recorded: () => federation.entry(key.nodeId)?.http ?? [],
  })
  const baseUrl = baseUrlResolver(origins)
  // Notices reach readers who bound WeChat as template messages linking to the portal.
  services.notifier.registerChannel(
    wechatChannel({ ...wechat, wechat: wechat.service, baseUrl: () => origins.primary() }),
  )
  // Live lectures: encoders push RTMP to the host readers reach (the public URL's when set).
  const live = new Live({
    storage,
    dataDir: folder.dir,
    nodeId: key.nodeId,
    nodeName: () => profile.current().name,
    rtmpHost: () => rtmpHost(origins.primary()),
    rtmpPort: config.rtmpPort,
    listenHost: config.host,
    ffmpeg: config.ffmpeg,
    courses: services.courses,
    notifier: services.notifier,
    maxUploadBytes: config.maxUploadBytes,
    logger,
    ...(options.liveGraceMs !== undefined && { graceMs: options.liveGraceMs }),
    ...clock,
  })
  // The lectures' rooms (questions, 弹幕); a lecture relayed from the hub has its room there.
  const rooms = new RoomService({
    storage,
    lectures: roomLectures(live.service),
    now,
  })
  live.service.onStatus((r) => void rooms.apply(r.id, { type: 'status', status: r.status }))
  live.questions = (id) => rooms.questions(id)
  // Members relay the hub's live lectures (--relay-live); the hub gives them to its members.
  const liveRelay = createLiveRelay({
    role: config.role,
    relayLive: config.relayLive,
    network: federation,
    live: live.service,
    rooms,
    logger,
  })
  const disk = new DiskWatch({ dir: folder.dir, minFree: config.minFreeDisk })
  const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`
  const alerts =
    config.smtpUrl && config.alertEmail
      ? new Alerts({
          smtpUrl: config.smtpUrl,
          to: config.alertEmail,
          logger,
          libraryName: () => profile.current().name,
          checkMs: options.alertCheckMs,
          checks: {
            low_disk: async () => {
              const d = await disk.state()
              return d.low
                ? `${gib(d.freeBytes)} free on the disk of ${folder.dir}, ${gib(d.minFreeBytes)} needed (--min-free-disk): uploads and imports are paused.`
                : undefined
            },
            hub_unreachable: () => {
              const last = config.role === 'hub' ? undefined : federation.registryMember?.lastSync()
              if (!last || !federation.hubNodeId()) return undefined
              const hours = (now() - Date.parse(last)) / 3_600_000
              return hours > config.alertHubHours
                ? `No contact with the hub (or any peer with the registry) since ${last}, ${hours.toFixed(1)} hours ago (--alert-hub-hours ${config.alertHubHours}).`
                : undefined
            },
          },
        })
      : undefined
  // Events' sign-up and check-in, and the entries' share pages, over the activities.
  const events = buildEvents({
    storage,
    key,
    activities,
    accounts: accounts.store,
    notifier: services.notifier,
    logger,
    now,
  })
  // Tells readers when a phase of their activity begins (voting opens, …), once each.
  const activityPhases = new ActivityPhaseWatcher({
    storage,
    activities,
    signedUp: (id) => events.signups.seated(id),
    notifier: services.notifier,
    nodeId: key.nodeId,
    logger,
    now,
  })
  const backups = new BackupSchedule({
    storage,
    write: (file) => writeBackup(storage, key, folder.nodeMeta, file, folder.dir),
    dir: config.backupDir ?? join(folder.dir, 'backups'),
    everyMs: config.backupEvery,
    keep: config.backupKeep,
    logger,
    onResult: (run) =>
      void alerts?.report('backup_failed', run.ok ? undefined : `${run.error ?? 'failed'} (at ${run.at})`),
    now,
  })
  const versionCheck = new VersionCheck({
    federation,
    role: config.role,
    version: options.version ?? shulinVersion,
    logger,
    now,
  })
  const readiness = new Readiness({ storage, disk, searchReady: () => search.ready() })
  const metrics = new NodeMetrics({
    dbDir: dataPaths(folder.dir).db,
    records: () => resources.records.count(),
    search: () => search.engine.stats(),
    peers: () => federation.peers().length,
    syncLagSeconds: () => {
      const last = federation.registryMember?.lastSync()
      return last === undefined ? undefined : Math.max(0, (now() - Date.parse(last)) / 1000)
    },
    rollupQueue: () => stats.pusher?.last?.report.pending,
    peerSentBytes: () => content.server.sentBytes(),
    lastBackupAt: () => backups.lastOkAt(),
    lastBackupFailed: () => backups.lastFailed(),
    disk: () => disk.state(),
    now,
  })
  // Commands from this machine's CLI carry it; it is written to the control file once the node runs.
  const controlToken = randomBytes(32).toString('base64url')
  const auth = new HttpAuth({
    // HTTP auth asks whether a visitor's home library still stands.
    admits: (account) => identity.relyingParty.admits(account),
    sessions,
    accounts: accounts.store,
    isTls,
    controlToken: () => controlToken,
    basic: (identifier, password, c) =>
      accounts.authenticate(identifier, password, {
        address: c.get('clientAddress'),
        userAgent: c.req.header('user-agent') ?? '',
        locale: 'zh-CN',
      }),
    now,
  })
  return {
    folder,
    config,
    runtime,
    logger,
    options,
    now,
    services,
    search,
    federation,
    identity,
    thirdParty,
    channels,
    content,
    networkSearch,
    ld,
    ldDumps,
    sparql,
    stats,
    recommend,
    cards,
    transcodes,
    activities,
    audioQueue,
    activitiesNetwork,
    news,
    newsNetwork,
    newsImageTypes,
    proxy,
    isTls,
    origins,
    baseUrl,
    controlToken,
    auth,
    http,
    profile,
    disk,
    backups,
    events,
    activityPhases,
    readiness,
    metrics,
    alerts,
    versionCheck,
    live,
    rooms,
    liveRelay,
    wechat,
  }
}

type NodeParts = ReturnType<typeof composeServices>

/** A recitation upload is held in memory while it is parsed: at most 100 MiB (an hour of WAV is more than any recitation). */
const entryUploadBytes = (maxUploadBytes: number) => Math.min(maxUploadBytes, 100 * 1024 * 1024)

/** The HTTP app over the node's services: every route, in the order they answer. */
function httpApp(parts: NodeParts): Hono<AppEnv> {
  const {
    folder,
    config,
    runtime,
    logger,
    options,
    now,
    services,
    search,
    federation,
    identity,
    thirdParty,
    channels,
    content,
    networkSearch,
    stats,
    recommend,
    cards,
    proxy,
    isTls,
    origins,
    baseUrl,
    auth,
    http,
    profile,
    disk,
    backups,
    readiness,
    metrics,
    versionCheck,
    live,
    liveRelay,
    rooms,
    wechat,
  } = parts
  const { storage, nodeMeta, key } = folder
  const { sessions, accounts, setup, resources, blobs, files, collections, reading, courses } = services
  const libraryName = () => profile.current().name
  const health = { status: 'ok' as const, role: config.role, nodeId: key.nodeId, version: shulinVersion }
  const backup = async (out: string) => {
    try {
      return await writeBackup(storage, key, nodeMeta, out, folder.dir)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') {
        throw new ProblemError('validation_failed', {
          errors: [{ pointer: '/out', detail: `${code}: ${(err as Error).message}` }],
        })
      }
      throw err
    }
  }

  return createApp({
    logger,
    auth,
    health: () => health,
    clientAddress: runtime.clientAddress,
    proxy,
    maxBodyBytes: config.maxBodyBytes,
    bodyLimits: [
      ['/api/staff/readers/import', maxImportBytes],
      ['/api/staff/resources/import', 'streamed'],
      ['/api/control/import', 'streamed'],
      [uploadPath, 'streamed'],
      ['/wechat', wechatMaxBytes],
      [collectionCoverPath, 'streamed'],
      [bannerImagePath, 'streamed'],
      [courseCoverPath, 'streamed'],
      [lectureUploadPath, 'streamed'],
      [entryUploadPath, entryUploadBytes(config.maxUploadBytes)],
      [newsImageUploadPath, 'streamed'],
      [logoUploadPath, maxLogoBytes],
      [modelUploadPath, entryUploadBytes(config.maxUploadBytes)],
    ],
    isShuttingDown: () => http.shuttingDown,
    version: shulinVersion,
    mount: (app, api) => {
      // First, so that they see every route's answer.
      app.use(metrics.middleware)
      app.use(stats.capture)
      // Uploads and imports stop before the disk is full, with the figures and the fix.
      app.use(async (c, next) => {
        if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && largeWrites.some((p) => p.test(c.req.path)))
          await disk.requireSpace()
        await next()
      })
      metricsRoutes(app, api, {
        metrics,
        readiness,
        check: auth.check,
        metricsToken: config.metricsToken,
        viaTrustedProxy: (c) => proxy.trusts(runtime.clientAddress(c)),
      })
      backupRoutes(api, backups)
      libraryRoutes(app, api, profile, blobs)
      stats.routes(app, api, auth.check)
      accountRoutes(api, {
        accounts,
        sessions,
        auth,
        logger,
        phoneCodes: {
          required: () => services.sms.verificationRequired(),
          check: (phone, code) => services.sms.checkPhoneCode(phone, code),
        },
      })
      smsRoutes(api, services.sms)
      sip2Routes(api, services.sip2)
      staffRoutes(api, { accounts, maxImportBytes })
      realNameRoutes(api, services.realName)
      nodeSettingsRoutes(api, {
        config,
        nodeId: key.nodeId,
        version: options.version ?? shulinVersion,
        searchStats: () => search.engine.stats(),
        library: () => profile.current(),
        versions: () => versionCheck.current(),
      })
      setupRoutes(app, api, setup)
      controlRoutes(api, { setup, backup })
      resourceRoutes(api, resources)
      fileRoutes(api, {
        resources,
        files,
        blobs,
        maxUploadBytes: config.maxUploadBytes,
        opened: (accountId, resourceId) => reading.opened(accountId, resourceId),
        ensureLocal: async (record, file) =>
          record.nodeId === key.nodeId ? 'ready' : content.ensureLocal(file, record.nodeId),
      })
      coverRoutes(api, { resources })
      readingRoutes(api, { reading, resources })
      kosyncRoutes(app, api, { kosync: services.kosync, baseUrl })
      recommendRoutes(api, { recommend, resources })
      cardRoutes(api, { cards, records: resources.records })
      inboxRoutes(api, services.inbox)
      notifyRoutes(api, services.notifier, services.push)
      subscriptionRoutes(api, services.subscriptions)
      watchedRoutes(api, { records: resources.records, now })
      importRoutes(api, { resources, maxBytes: config.maxUploadBytes, channels })
      channelRoutes(api, channels)
      contentRoutes(api, { server: content.server, blobs })
      searchRoutes(api, { search, baseUrl, network: networkSearch, collections })
      federationRoutes(api, federation)
      identityRoutes(app, api, { ...identity, auth, baseUrl, origins, isTls })
      directoryRoutes(app, api, {
        network: identity.network,
        member: identity.directory,
        hub: identity.hub,
        phones: identity.phones,
        now,
        logger,
      })
      thirdPartyRoutes(app, api, { thirdParty, sessions, auth, baseUrl, origins, isTls })
      wechatRoutes(app, api, { ...wechat, wechat: wechat.service, sessions, auth, baseUrl, isTls, logger, now })
      sharePageRoutes(app, { resources, baseUrl, libraryName })
      eventRoutes(app, api, { ...parts.events, baseUrl, libraryName })
      collectionRoutes(api, { collections, blobs, resources })
      portalRoutes(api, { portal: services.portal, blobs })
      courseRoutes(api, {
        courses: courses.service,
        files,
        jobs: courses.jobs,
        baseUrl,
        maxUploadBytes: config.maxUploadBytes,
      })
      lectureRoutes(api, {
        courses: courses.service,
        uploads: courses.uploads,
        baseUrl,
        maxUploadBytes: config.maxUploadBytes,
      })
      courseControlRoutes(api, { courses, maxUploadBytes: config.maxUploadBytes })
      harvestControlRoutes(api, { harvest: services.harvest })
      harvestRoutes(api, { harvest: services.harvest })
      liveControlRoutes(api, { live: live.service, courses: courses.service, ingest: () => live.ingest.state })
      liveRoutes(api, {
        live: live.service,
        end: (id) => live.end(id),
        remind: (id, account) => live.remind(id, account),
        questions: (id) => live.questions(id),
        courses: courses.service,
        baseUrl,
      })
      roomRoutes(app, api, {
        rooms,
        lectures: rooms.lectures,
        identify: (c) => auth.identify(c),
        origins,
        upgradeWebSocket: runtime.upgradeWebSocket,
        bufferedAmount: runtime.bufferedAmount,
        abort: runtime.abort,
        now,
        nodeId: key.nodeId,
        libraryName,
        maxClients: config.liveRoomClients,
        maxPerAddress: config.liveRoomClientsPerAddress,
      })
      // The hub: members' entries count likes at their own library, never here too.
      if (config.role === 'hub')
        app.use('/api/activities/:id/entries/:entryId/like', refuseRemoteLikes(parts.activities))
      activityRoutes(api, {
        activities: parts.activities,
        blobs,
        tools: () => parts.audioQueue.tools,
        maxUploadBytes: entryUploadBytes(config.maxUploadBytes),
        network: parts.activitiesNetwork,
        tmpDir: join(folder.dir, 'tmp'),
      })
      newsRoutes(app, api, { news: parts.news, blobs, storage, baseUrl, libraryName }, parts.newsImageTypes)
      liveRelayRoutes(api, { live: live.service, relay: liveRelay })
      lectureServeRoutes(api, {
        courses: courses.service,
        blobs,
        // Another library's lecture is fetched when first played, in the order a player asks.
        ensureLocal: async (record, file) =>
          record.nodeId === key.nodeId ? 'ready' : content.onPlay.ensure(record, file),
      })
      oaiPmhRoutes(app, {
        resources,
        collections,
        nodeId: key.nodeId,
        repositoryName: libraryName,
        adminEmail: config.adminEmail,
        baseUrl,
        now,
        pageSize: options.oaiPageSize,
      })
      opdsRoutes(app, {
        resources,
        collections,
        search,
        auth,
        libraryName,
        nodeId: key.nodeId,
        baseUrl,
        now,
        pageSize: options.opdsPageSize,
      })
      embedRoutes(app, { records: resources.records, ancestors: config.embedAncestors })
      ldRoutes(app, { ld: parts.ld, dumps: parts.ldDumps, records: resources.records, libraryName })
      sparqlRoutes(app, api, { store: parts.sparql })
      // Last: the web UI answers what no route above did.
      webUiRoutes(app)
    },
  })
}

/**
 * The node's components in start order (stopped in reverse): the folder's stores and sweeps,
 * the HTTP server, the peer network and the services on it, the control file last.
 */
function nodeComponents(parts: NodeParts, app: Hono<AppEnv>): Startable[] {
  const {
    folder,
    config,
    runtime,
    logger,
    services,
    search,
    federation,
    identity,
    channels,
    content,
    networkSearch,
    stats,
    transcodes,
    origins,
    controlToken,
    http,
    profile,
    backups,
    alerts,
    versionCheck,
    live,
    rooms,
    liveRelay,
  } = parts
  const { storage, key } = folder
  const { sessions, blobs, files, collections } = services
  const paths = dataPaths(config.dataDir)
  // Unreferenced blobs (replaced files, abandoned uploads) go after a day: an upload attached
  // a moment ago is never taken, and a restored backup has time to settle.
  const collectBlobs = async () => {
    const referenced = new Set([
      ...(await files.referencedBlobs()),
      ...(await collections.referencedBlobs()),
      ...(await services.portal.referencedBlobs()),
      ...(await parts.activities.referencedBlobs()),
      ...(await parts.news.referencedBlobs()),
      ...profile.referencedBlobs(),
    ])
    const gc = await blobs.collectGarbage(referenced, blobGraceMs)
    if (gc.removed) logger.info(gc, 'removed unreferenced blobs')
  }
  const timers: NodeJS.Timeout[] = []
  let unwatchSpace = () => {}

  return [
    {
      name: 'storage',
      start() {},
      async stop() {
        // Reset codes asked for before the close are written and sent first.
        await services.accounts.resetsSettled()
        await storage.close()
      },
    },
    {
      name: 'storage space watch',
      start: () => void (unwatchSpace = watchStorageSpace(storage, paths.dir, logger)),
      stop: () => unwatchSpace(),
    },
    { name: 'blobs', start: () => blobs.init(), stop() {} },
    {
      name: 'kosync documents',
      start: () => services.kosync.start((err) => logger.warn({ err }, 'KOReader document ids not computed')),
      stop: () => services.kosync.stop(),
    },
    { name: 'library profile', start: () => profile.load(), stop() {} },
    {
      name: 'search',
      start() {
        // Catching up (or a first build) runs in the background; searches wait for it.
        search
          .start()
          .catch((err: unknown) => logger.error({ err }, 'search index could not catch up; run `shulin reindex`'))
      },
      stop: () => search.close(),
    },
    {
      name: 'sweeps',
      start() {
        const sweep = (what: string, work: () => Promise<unknown>, everyMs: number) => {
          const timer = setInterval(
            () => void work().catch((err: unknown) => logger.warn({ err }, `${what} failed`)),
            everyMs,
          )
          timer.unref()
          timers.push(timer)
        }
        sweep('session sweep', () => sessions.sweep(), 3_600_000)
        sweep('blob collection', collectBlobs, 6 * 3_600_000)
        // Each run asks only for what changed since the last one, so a daily run is cheap.
        if (config.harvestEveryHours > 0)
          sweep('OAI-PMH harvest', () => services.harvest.runAll(), config.harvestEveryHours * 3_600_000)
      },
      stop: () => timers.forEach((timer) => clearInterval(timer)),
    },
    // After the blobs (it stores its outputs there); stopped before them: a running job goes back to the queue.
    { name: 'transcodes', start: () => transcodes.start(), stop: () => transcodes.stop() },
    { name: 'live rooms', start: () => parts.rooms.start(), stop: () => parts.rooms.stop() },
    { name: 'activity audio', start: () => parts.audioQueue.start(), stop: () => parts.audioQueue.stop() },
    {
      name: 'http',
      async start() {
        const server = await runtime.serve(app.fetch, { host: config.host, port: config.port })
        origins.listening(server.port)
        http.listening = { url: origins.primary(), server }
      },
      afterStart: () => void (http.running = true),
      // Before any service stops: requests in flight finish (a start that failed has none to wait for).
      async beforeStop() {
        http.shuttingDown = true
        await http.listening?.server.close(http.running ? shutdownGraceMs : 0)
      },
      stop() {},
    },
    // After the HTTP server: the URIs name the node's address.
    {
      name: 'linked data',
      start: () => parts.ldDumps.start(),
      async stop() {
        await parts.ldDumps.stop()
        parts.ld.close()
      },
    },
    // After the linked data (its URIs name the node's address): it follows the changes from now
    // on, but its store is built in its worker only when the first query comes.
    {
      name: 'SPARQL store',
      start: () => parts.sparql.start(),
      stop: () => parts.sparql.stop(),
    },
    // After the HTTP server: the RTMP URL it gives names the node's address.
    { name: 'live', start: () => live.start(), stop: () => live.stop() },
    {
      name: 'federation',
      async start() {
        try {
          await federation.start()
        } catch (err) {
          if (err instanceof FederationError) throw new Error(err.message)
          throw new Error(
            `cannot listen for peers on port ${config.p2pPort} (${(err as Error).message}); choose another with --p2p-port`,
          )
        }
      },
      stop: () => federation.stop(),
    },
    // After the peer network: it serves the hub's side and dials the hub on a member's.
    { name: 'live relay', start: () => liveRelay.start(), stop: () => liveRelay.stop() },
    { name: 'stats', start: () => stats.start(), stop: () => stats.close() },
    { name: 'subscriptions', start: () => services.subscriptions.start(), stop: () => services.subscriptions.stop() },
    // Delivers queued notices (push, SMS, WeChat) in the background; stopped before the storage.
    {
      name: 'notifications',
      // The VAPID pair is made here at the first start, then kept.
      start: async () => {
        await services.push.init()
        services.notifier.start()
      },
      stop: () => services.notifier.stop(),
    },
    { name: 'activity phases', start: () => parts.activityPhases.start(), stop: () => parts.activityPhases.stop() },
    // Codes still being retried are dropped at stop (they live in memory only, by design).
    { name: 'sms', start: () => {}, stop: () => services.sms.close() },
    { name: 'sip2', start: () => services.sip2.init(), stop: () => services.sip2.close() },
    // Before the storage closes (stopped in reverse): a backup in progress finishes first.
    { name: 'backups', start: () => backups.start(), stop: () => backups.stop() },
    { name: 'alerts', start: () => alerts?.start(), stop: () => alerts?.stop() },
    { name: 'version check', start: () => versionCheck.start(), stop: () => versionCheck.stop() },
    { name: 'distribution', start: () => content.start(), stop: () => content.stop() },
    { name: 'network search', start: () => networkSearch.start(), stop() {} },
    {
      name: 'channels',
      // Before any catalog opens (federation's start, the channels' own): what peers may write to the channel catalogs.
      beforeStart: () =>
        federation.catalogRules(
          (name) =>
            channels.catalogRule(name) ??
            parts.activitiesNetwork.national.catalogRule(name) ??
            parts.newsNetwork.catalogRule(name),
        ),
      async start() {
        await channels.start()
        // A channel signed while the node was stopped (or before it moved) learns its web address.
        void channels
          .refreshHttp()
          .catch((err: unknown) => logger.warn({ err }, 'could not sign the channels’ web address'))
      },
      stop: () => channels.stop(),
    },
    {
      name: 'activities network',
      start: () => parts.activitiesNetwork.start(),
      stop: () => parts.activitiesNetwork.stop(),
    },
    { name: 'news network', start: () => parts.newsNetwork.start(), stop: () => parts.newsNetwork.stop() },
    { name: 'identity', start: () => identity.start(), stop: () => identity.stop() },
    {
      name: 'control file',
      async start() {
        const controlHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
        await writeControlFile(paths.control, {
          pid: process.pid,
          url: `http://${controlHost.includes(':') ? `[${controlHost}]` : controlHost}:${http.listening?.server.port}`,
          token: controlToken,
          nodeId: key.nodeId,
        })
      },
      // First once the HTTP server has closed: a CLI command no longer finds a node that will not answer.
      stop: () => removeControlFile(paths.control),
    },
  ]
}

/** The running node: its services, its HTTP app and its components, declared once. */
function composeNode(
  folder: OpenedDataFolder,
  config: NodeConfig,
  providers: ProviderConfig[],
  engine: SearchEngine,
  runtime: RuntimeAdapter,
  logger: Logger,
  options: StartOptions,
) {
  const parts = composeServices(folder, config, providers, engine, runtime, logger, options)
  const app = httpApp(parts)
  return {
    ...parts,
    app,
    components: nodeComponents(parts, app),
    /** The HTTP server, once the lifecycle has started it. */
    get listening(): { url: string; server: RunningServer } {
      if (!parts.http.listening) throw new Error('the HTTP server has not started')
      return parts.http.listening
    },
  }
}
