/**
 * @module server
 * Starts a library node: opens (or initialises) its data folder, wires the modules, serves
 * HTTP, and stops cleanly.
 *
 * @example
 * ```ts
 * const node = await startNode({ dataDir: '/tmp/x', port: 8090 })
 * console.log(node.url) // http://127.0.0.1:8090
 * await node.close()
 * ```
 */
import { randomBytes } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { NodeConfig, type NodeConfigInput } from './config/config.js'
import { openDataFolder, dataPaths } from './storage/data-folder.js'
import { watchStorageSpace } from './storage/space-watch.js'
import { createLogger, type Logger } from './logger.js'
import { createApp, tlsResolver } from './http/app.js'
import type { AppEnv } from './http/env.js'
import { ProblemError } from './http/problem.js'
import { HttpAuth } from './sessions/http-auth.js'
import { accountRoutes } from './accounts/routes.js'
import { consoleCodeSender, type CodeSender } from './accounts/code-sender.js'
import { staffRoutes } from './staff/routes.js'
import { nodeSettingsRoutes } from './staff/node-settings.js'
import { setupRoutes } from './setup/routes.js'
import { controlRoutes } from './control/routes.js'
import { removeControlFile, writeControlFile } from './control/control-file.js'
import { writeBackup } from './backup/backup.js'
import type { RuntimeAdapter, RunningServer } from './runtime/adapter.js'
import { shulinVersion } from './version.js'
import { buildServices, type NodeServices } from './services.js'
import { resourceRoutes } from './resources/routes.js'
import { fileRoutes, uploadPath } from './resources/files/routes.js'
import { collectionCoverPath, collectionRoutes } from './collections/routes.js'
import { oaiPmhRoutes } from './oai/oai-pmh.js'
import { opdsRoutes } from './opds/opds.js'
import { baseUrlResolver, NodeOrigins } from './http/base-url.js'
import { proxyTrust } from './http/proxy.js'
import { readingRoutes } from './reading/routes.js'
import { sharePageRoutes } from './resources/share-page.js'
import { importRoutes } from './resources/import/routes.js'
import { SearchService } from './search/service.js'
import { searchRoutes } from './search/routes.js'
import { createSearchEngine } from './search/create.js'
import { webUiRoutes } from './http/web-ui.js'
import { FederationError, FederationService } from './federation/service.js'
import { federationRoutes } from './federation/routes.js'
import { ChannelService } from './channels/service.js'
import { createDistribution } from './distribution/index.js'
import { contentRoutes } from './distribution/routes.js'
import { NetworkSearch } from './search/network.js'
import { channelRoutes } from './channels/routes.js'
import { createStats, type Stats } from './stats/index.js'
import { createIdentity, type Identity } from './identity/index.js'
import { identityRoutes } from './identity/routes.js'
import { directoryRoutes } from './identity/directory-routes.js'
import { loadProviders } from './identity/third-party/providers.js'
import { ThirdPartySignIn } from './identity/third-party/service.js'
import { thirdPartyRoutes } from './identity/third-party/routes.js'

export interface StartOptions {
  runtime?: RuntimeAdapter
  /** Where one-time codes go; the console (log) sender by default. */
  codeSender?: CodeSender
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
  close(): Promise<void>
}

const maxImportBytes = 32 * 1024 * 1024
const shutdownGraceMs = 10_000
const blobGraceMs = 24 * 3_600_000

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
  const { storage, nodeMeta, key } = folder
  const logger = options.logger ?? createLogger(config.logLevel, { nodeId: key.nodeId })
  const paths = dataPaths(config.dataDir)
  if (folder.migrated.length) logger.info({ versions: folder.migrated }, 'migrated data folder')
  const unwatchSpace = watchStorageSpace(storage, paths.dir, logger)

  let shuttingDown = false
  let controlToken: string | undefined
  const services = buildServices(folder, {
    sender: options.codeSender ?? consoleCodeSender((line, fields) => logger.warn(fields, line)),
    passwordPolicy: config.passwordPolicy,
    ...(options.now ? { now: options.now } : {}),
  })
  const { sessions, accounts, setup, resources, blobs, files, collections, reading } = services
  await blobs.init()
  const search = new SearchService({ storage, resources, reading, engine: await createSearchEngine(config, paths.search, key.nodeId), logger })
  // Catching up (or a first build) runs in the background; searches wait for it.
  search.start().catch((err: unknown) => logger.error({ err }, 'search index could not catch up; run `shulin reindex`'))
  const now = options.now ?? Date.now
  // Built below, once the federation service exists; HTTP auth asks it whether a visitor's home library still stands.
  let identity: Identity | undefined
  const proxy = proxyTrust(config)
  const viaProxy = (c: Context) => proxy.trusts(runtime.clientAddress(c))
  const isTls = tlsResolver({ publicUrl: config.publicUrl, viaProxy })
  // A member's own address is also the one the hub recorded for it at join (its registry entry).
  const origins = new NodeOrigins({ publicUrl: config.publicUrl, host: config.host, viaProxy, recorded: () => federation.entry(key.nodeId)?.http ?? [] })
  const auth = new HttpAuth({
    admits: (account) => identity?.relyingParty.admits(account) ?? true,
    sessions,
    accounts: accounts.store,
    isTls,
    controlToken: () => controlToken,
    basic: (identifier, password, c) =>
      accounts.authenticate(identifier, password, { address: c.get('clientAddress'), userAgent: c.req.header('user-agent') ?? '', locale: 'zh-CN' }),
    now,
  })
  const baseUrl = baseUrlResolver(origins)
  let httpUrl = ''
  const federation = new FederationService({ storage, key, role: config.role, p2pPort: config.p2pPort, host: config.host, httpUrl: () => httpUrl, logger, ...(options.now ? { now: options.now } : {}) })
  identity = createIdentity({
    key,
    storage,
    accounts: accounts.store,
    sessions,
    federation,
    logger,
    role: config.role,
    selfUrl: () => httpUrl,
    checkSeconds: config.visitorCheckSeconds,
    pullSeconds: config.directoryPullSeconds,
    ...(options.now ? { now: options.now } : {}),
  })
  const thirdParty = new ThirdPartySignIn({ providers, storage, accounts: accounts.store, logger, ...(options.now ? { now: options.now } : {}) })
  const health = { status: 'ok' as const, role: config.role, nodeId: key.nodeId, version: shulinVersion }
  const content = createDistribution({
    storage,
    key,
    role: config.role,
    blobs,
    dataDir: paths.dir,
    network: federation,
    // The registry has a member's web address; a channel carries its publisher's (the hub's too).
    publisherHttp: async (id): Promise<string | undefined> => federation.entry(id)?.http[0] ?? (await channels.publisherHttp(id)),
    mirrorBytesPerSecond: config.mirrorRate,
    mirrorHours: config.mirrorHours,
    logger,
    now,
  })
  const channels = new ChannelService({ storage, resources, key, role: config.role, catalog: (name) => federation.catalog(name), hubId: () => federation.hubNodeId(), content, httpUrl: () => httpUrl, logger, now })
  // Before any catalog opens: what peers may write to the channel catalogs.
  federation.catalogRules((name) => channels.catalogRule(name))
  const networkSearch = new NetworkSearch({ role: config.role, search, resources: resources.store, federation, channels, logger })
  const stats = createStats({ storage, resources: resources.store, key, role: config.role, name: config.name, federation, version: shulinVersion, logger, rawDays: config.statsRawDays, ...(options.now ? { now: options.now } : {}), ...(options.statsPushIntervalMs ? { pushIntervalMs: options.statsPushIntervalMs } : {}) })

  const backup = async (out: string) => {
    try {
      return await writeBackup(storage, key, nodeMeta, out, folder.dir)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') {
        throw new ProblemError('validation_failed', { errors: [{ pointer: '/out', detail: `${code}: ${(err as Error).message}` }] })
      }
      throw err
    }
  }

  const app = createApp({
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
      [collectionCoverPath, 'streamed'],
    ],
    isShuttingDown: () => shuttingDown,
    version: shulinVersion,
    mount: (app, api) => {
      // First, so that it sees every route's answer.
      app.use(stats.capture)
      stats.routes(app, api, auth.check)
      accountRoutes(api, { accounts, sessions, auth, logger })
      staffRoutes(api, { accounts, maxImportBytes })
      nodeSettingsRoutes(api, { config, nodeId: key.nodeId, version: shulinVersion, searchStats: () => search.engine.stats() })
      setupRoutes(app, api, setup)
      controlRoutes(api, { setup, backup })
      resourceRoutes(api, resources)
      fileRoutes(api, {
        resources,
        files,
        blobs,
        maxUploadBytes: config.maxUploadBytes,
        opened: (accountId, resourceId) => reading.opened(accountId, resourceId),
        ensureLocal: async (record, file) => (record.nodeId === key.nodeId ? 'ready' : content.ensureLocal(file, record.nodeId)),
      })
      readingRoutes(api, { reading, resources })
      importRoutes(api, { resources, maxBytes: config.maxUploadBytes, channels })
      channelRoutes(api, channels)
      contentRoutes(api, { server: content.server, blobs })
      searchRoutes(api, { search, baseUrl, network: networkSearch })
      federationRoutes(api, federation)
      identityRoutes(app, api, { ...identity, auth, baseUrl, origins, isTls })
      directoryRoutes(app, api, { network: identity.network, member: identity.directory, hub: identity.hub, phones: identity.phones, now, logger })
      thirdPartyRoutes(app, api, { thirdParty, sessions, auth, baseUrl, origins, isTls })
      sharePageRoutes(app, { resources, baseUrl, libraryName: config.name })
      collectionRoutes(api, { collections, blobs, resources })
      oaiPmhRoutes(app, { resources, collections, nodeId: key.nodeId, repositoryName: config.name, adminEmail: config.adminEmail, baseUrl, now, ...(options.oaiPageSize ? { pageSize: options.oaiPageSize } : {}) })
      opdsRoutes(app, { resources, collections, search, auth, libraryName: config.name, nodeId: key.nodeId, baseUrl, now, ...(options.opdsPageSize ? { pageSize: options.opdsPageSize } : {}) })
      // Last: the web UI answers what no route above did.
      webUiRoutes(app)
    },
  })

  let server: RunningServer
  try {
    server = await runtime.serve(app.fetch, { host: config.host, port: config.port })
  } catch (err) {
    await search.close()
    await storage.close()
    throw err
  }
  origins.listening(server.port)
  const url = origins.primary()
  httpUrl = url
  try {
    await federation.start()
  } catch (err) {
    await server.close(0)
    await search.close()
    await storage.close()
    if (err instanceof FederationError) throw new Error(err.message)
    throw new Error(`cannot listen for peers on port ${config.p2pPort} (${(err as Error).message}); choose another with --p2p-port`)
  }
  await stats.start()
  await content.start()
  await networkSearch.start()
  await channels.start()
  // A channel signed while the node was stopped (or before it moved) learns its web address.
  void channels.refreshHttp().catch((err: unknown) => logger.warn({ err }, 'could not sign the channels’ web address'))
  controlToken = randomBytes(32).toString('base64url')
  const controlHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  await writeControlFile(paths.control, {
    pid: process.pid,
    url: `http://${controlHost.includes(':') ? `[${controlHost}]` : controlHost}:${server.port}`,
    token: controlToken,
    nodeId: key.nodeId,
  })
  const setupToken = await setup.issueToken()
  const setupUrl = setupToken ? `${url}/setup#token=${setupToken}` : null

  identity.start()
  const sweep = setInterval(() => {
    sessions.sweep().catch((err: unknown) => logger.warn({ err }, 'session sweep failed'))
  }, 3_600_000)
  sweep.unref()
  // Unreferenced blobs (replaced files, abandoned uploads) go after a day: an upload attached
  // a moment ago is never taken, and a restored backup has time to settle.
  const collectBlobs = async () => {
    const referenced = new Set([...(await files.referencedBlobs()), ...(await collections.referencedBlobs())])
    const gc = await blobs.collectGarbage(referenced, blobGraceMs)
    if (gc.removed) logger.info(gc, 'removed unreferenced blobs')
  }
  const blobSweep = setInterval(() => collectBlobs().catch((err: unknown) => logger.warn({ err }, 'blob collection failed')), 6 * 3_600_000)
  blobSweep.unref()

  logger.info({ url, role: config.role, dataDir: paths.dir, version: shulinVersion, runtime: runtime.name, created: folder.created }, 'node started')
  print(`书林 Shulin ${shulinVersion} · ${config.role} · ${config.name}`)
  print(`  node id : ${key.nodeId}`)
  print(`  data    : ${paths.dir}`)
  print(`  open    : ${url}`)
  print(`  peers   : ${federation.listenAddrs()[0] ?? 'not started (joins a hub with: shulin join INVITE)'}`)
  if (setupUrl) print(`  setup   : ${setupUrl}   (one-time link: create the first admin)`)

  let closing: Promise<void> | undefined
  return {
    url,
    port: server.port,
    nodeId: key.nodeId,
    dataDir: paths.dir,
    setupUrl,
    app,
    services,
    search,
    stats,
    close() {
      closing ??= (async () => {
        shuttingDown = true
        clearInterval(sweep)
        clearInterval(blobSweep)
        unwatchSpace()
        identity?.stop()
        await server.close(shutdownGraceMs)
        await removeControlFile(paths.control)
        await stats.close()
        channels.stop()
        content.stop()
        await federation.stop()
        await search.close()
        // Reset codes asked for before the close are written and sent first.
        await services.accounts.resetsSettled()
        await storage.close()
        logger.info('node stopped')
      })()
      return closing
    },
  }
}
