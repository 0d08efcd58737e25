/**
 * @module services
 * The node's services over an opened data folder, built the same way for the HTTP server
 * and for CLI commands that run while the node is stopped: the folder's services, its
 * channels (with or without the peer network) and its search service. `startNode` (server.ts)
 * adds the peer network, the HTTP server and the lifecycle that starts and stops them.
 */
import type { PasswordPolicy } from '@shulin/protocol'
import { AccountService } from './accounts/service.js'
import type { CodeSender } from './accounts/code-sender.js'
import { SessionService } from './sessions/service.js'
import { SetupService } from './setup/service.js'
import { ResourceService } from './resources/service.js'
import type { OpenedDataFolder } from './storage/data-folder.js'
import { BlobStore } from './blobs/store.js'
import { FileService } from './resources/files/service.js'
import { CollectionService } from './collections/service.js'
import { PortalService } from './portal/service.js'
import { ReadingService } from './reading/service.js'
import { KosyncService } from './kosync/service.js'
import { RealNameDesk } from './accounts/real-name.js'
import { consoleCodeSender } from './accounts/code-sender.js'
import { ChannelService } from './channels/service.js'
import { createDistribution, type Distribution } from './distribution/index.js'
import { NetworkCatalogs } from './federation/catalogs.js'
import type { FederationService } from './federation/service.js'
import type { Logger } from './logger.js'
import { SearchService } from './search/service.js'
import { buildCourses, type Courses } from './courses/index.js'
import type { SearchEngine } from './search/engine.js'
import { Transcripts } from './search/transcript.js'
import { InboxService } from './inbox/service.js'
import { SubscriptionService } from './subscriptions/service.js'
import { SmsService, type SmsServiceOptions } from './sms/service.js'
import { smsChannel } from './sms/channel.js'
import { Notifier } from './notify/notifier.js'
import { WebPush } from './notify/push.js'
import { HarvestService } from './harvest/service.js'
import { Sip2SignIn } from './sip2/sign-in.js'
import { Sip2SettingsStore } from './sip2/settings.js'

export interface NodeServices {
  sessions: SessionService
  accounts: AccountService
  setup: SetupService
  resources: ResourceService
  blobs: BlobStore
  files: FileService
  collections: CollectionService
  /** The home page's banner strip and the order of its sections. */
  portal: PortalService
  reading: ReadingService
  /** KOReader progress sync (issue 24): readers' sync keys and KOReader's document ids. */
  kosync: KosyncService
  /** Real-name verification at the desk, with its audit trail (issue 24). */
  realName: RealNameDesk
  inbox: InboxService
  /** The one way to tell a reader something: the inbox and the reader's channels (issue 21). */
  notifier: Notifier
  /** Web Push: the VAPID keys, readers' browser subscriptions, the `push` channel. */
  push: WebPush
  subscriptions: SubscriptionService
  courses: Courses
  sms: SmsService
  /** OAI-PMH repositories harvested into the catalogue (`shulin harvest`, and on a schedule). */
  harvest: HarvestService
  /** Sign-in against the library's ILS over SIP2 (inactive without settings). */
  sip2: Sip2SignIn
}

export function buildServices(
  folder: OpenedDataFolder,
  opts: {
    sender: CodeSender
    passwordPolicy: PasswordPolicy
    now?: () => number
    sms?: Pick<SmsServiceOptions, 'timeoutMs' | 'outbox' | 'tencentAgent'>
    logger?: Logger
    /** Tests: a local stand-in push service on loopback http. */
    pushLoopbackHttp?: boolean
    /** The library's ILS (`SHULIN_SIP2_URL`); one saved in the console wins. */
    sip2Url?: string | undefined
  },
): NodeServices {
  const sessions = new SessionService(folder.storage, opts.now)
  const identifierKey = Buffer.from(folder.nodeMeta.identifierKey, 'base64')
  // Codes go out through the SMS provider the console sets, or `sender` (the log) until then.
  const sms = new SmsService({
    storage: folder.storage,
    key: folder.key,
    identifierKey,
    fallback: opts.sender,
    ...(opts.now ? { now: opts.now } : {}),
    ...opts.sms,
  })
  const sip2 = new Sip2SignIn({
    envUrl: opts.sip2Url,
    store: new Sip2SettingsStore(folder.storage, folder.key),
    logger: opts.logger,
  })
  const accounts = new AccountService({
    storage: folder.storage,
    sessions,
    sender: sms.codeSender,
    identifierKey,
    passwordPolicy: opts.passwordPolicy,
    now: opts.now,
    ils: sip2,
  })
  const resources = new ResourceService({
    storage: folder.storage,
    nodeId: folder.key.nodeId,
    now: opts.now,
  })
  const blobs = new BlobStore(folder.storage, folder.dir, opts.now)
  const files = new FileService(resources, blobs)
  const collections = new CollectionService(folder.storage, resources.records, opts.now)
  const reading = new ReadingService(folder.storage, opts.now)
  const inbox = new InboxService(folder.storage, opts.now)
  const notifier = new Notifier({ storage: folder.storage, inbox, logger: opts.logger, now: opts.now })
  const push = new WebPush({
    storage: folder.storage,
    allowLoopbackHttp: opts.pushLoopbackHttp,
    logger: opts.logger,
    now: opts.now,
  })
  notifier.registerChannel(push)
  notifier.registerChannel(smsChannel(sms, async (id) => (await accounts.store.get(id))?.phone ?? undefined))
  // The account's own security events: told at once (quiet hours do not hold them), with nothing
  // about where from in the notice itself (it may travel by push or SMS); the sessions page says.
  const tell = (kind: 'password-changed' | 'new-device', title: string, body: string) => async (accountId: string) => {
    await notifier.notify(accountId, { kind, title, body, link: '/me' }).catch((err: unknown) => {
      opts.logger?.warn({ err, kind }, 'security notice not posted')
    })
  }
  accounts.onPasswordChange(
    tell(
      'password-changed',
      '密码已修改 · Password changed',
      '如果不是你本人操作，请立即重置密码。 If this was not you, reset your password now.',
    ),
  )
  sessions.onNewDevice(
    tell(
      'new-device',
      '新设备登录 · New sign-in',
      '你的账号在一个新的设备或浏览器上登录。 Your account was signed in from a new device or browser.',
    ),
  )
  const subscriptions = new SubscriptionService({
    storage: folder.storage,
    records: resources.records,
    notifier,
    collections,
    logger: opts.logger,
    now: opts.now,
  })
  const courses = buildCourses({ storage: folder.storage, resources, blobs, now: opts.now })
  const kosync = new KosyncService(folder.storage, {
    reading,
    records: resources.records,
    blobs,
    account: (id) => accounts.store.get(id),
    ...(opts.now ? { now: opts.now } : {}),
  })
  return {
    sessions,
    accounts,
    setup: new SetupService(folder.storage, accounts),
    resources,
    blobs,
    files,
    collections,
    portal: new PortalService(folder.storage, opts.now),
    reading,
    kosync,
    realName: new RealNameDesk(folder.storage, accounts.store, opts.now),
    inbox,
    sms,
    sip2,
    notifier,
    push,
    subscriptions,
    courses,
    harvest: new HarvestService({ storage: folder.storage, resources, now: opts.now }),
  }
}

/**
 * The channels and the files behind their records. Without `network` (a command run while the
 * node is stopped): catalogs written here travel once the node runs, files get their manifests
 * and are shared from then on.
 */
export function buildChannels(
  folder: OpenedDataFolder,
  services: Pick<NodeServices, 'resources' | 'blobs' | 'courses'>,
  network?: ChannelNetwork,
): { channels: ChannelService; content: Distribution } {
  const { storage, key } = folder
  // A course put into a channel takes its lectures.
  const lecturesOf = async (course: string) => (await services.courses.service.lecturesOf(course)).map((l) => l.id)
  if (!network) {
    const catalogs = new NetworkCatalogs({ storage, nodeId: key.nodeId, now: Date.now })
    const content = createDistribution({ storage, key, blobs: services.blobs, dataDir: folder.dir })
    return {
      content,
      channels: new ChannelService({
        storage,
        resources: services.resources,
        key,
        role: 'node',
        catalog: (name) => catalogs.open(name),
        hubId: () => undefined,
        content,
        lecturesOf,
      }),
    }
  }
  const { federation, role, httpUrl, logger, now } = network
  const content = createDistribution({
    storage,
    key,
    role,
    blobs: services.blobs,
    dataDir: folder.dir,
    network: federation,
    // The registry has a member's web address; a channel carries its publisher's (the hub's too).
    // The one cycle left between services: the mirror fetches the files of channels whose
    // publishers' addresses are in the channel records; it asks only when a fetch falls back to HTTP.
    publisherHttp: async (id): Promise<string | undefined> =>
      federation.entry(id)?.http[0] ?? (await channels.publisherHttp(id)),
    mirrorBytesPerSecond: network.mirrorRate,
    mirrorHours: network.mirrorHours,
    logger,
    now,
  })
  const channels = new ChannelService({
    storage,
    resources: services.resources,
    key,
    role,
    catalog: (name) => federation.catalog(name),
    hubId: () => federation.hubNodeId(),
    content,
    httpUrl,
    lecturesOf,
    logger,
    now,
  })
  return { channels, content }
}

/** What the channels need of a running node. */
export interface ChannelNetwork {
  federation: FederationService
  role: 'node' | 'hub'
  /** This node's web address, once it listens. */
  httpUrl: () => string
  mirrorRate: number
  mirrorHours: string
  logger: Logger
  now: () => number
}

/** The search service over the folder's records and reading figures, on the given engine. */
export function buildSearch(
  folder: OpenedDataFolder,
  services: Pick<NodeServices, 'resources' | 'reading' | 'blobs'>,
  engine: SearchEngine,
  logger?: Logger,
): SearchService {
  return new SearchService({
    storage: folder.storage,
    resources: services.resources,
    reading: services.reading,
    transcripts: new Transcripts(services.blobs),
    engine,
    logger,
  })
}

/**
 * A stopped node, for the commands that run without it (`shulin admin create`, `import`,
 * `reindex`): the folder's services, and the channels or the search index when a command
 * asks for them — the same graph `startNode` builds, without the peer network.
 */
export interface StoppedNode extends NodeServices {
  channels(): ChannelService
  search(engine: SearchEngine): SearchService
}

export function stoppedNode(folder: OpenedDataFolder, opts: { passwordPolicy?: PasswordPolicy } = {}): StoppedNode {
  // Commands send no codes (no reader signs in through them).
  const services = buildServices(folder, {
    sender: consoleCodeSender(() => {}),
    passwordPolicy: opts.passwordPolicy ?? 'standard',
  })
  return {
    ...services,
    channels: () => buildChannels(folder, services).channels,
    search: (engine) => buildSearch(folder, services, engine),
  }
}
