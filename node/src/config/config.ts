/**
 * @module config
 * A node's start-up settings, declared once: each field of {@link NodeConfig} carries its type
 * and default (zod) and, in the {@link settings} registry, its `shulin start` flag, its
 * `SHULIN_*` environment twin and a one-line description. The flags `shulin start` accepts, the
 * variables it reads and its `--help` are generated from here; flags win over variables.
 * Defaults make `shulin start` with no flags a working node on `./data`.
 */
import { z } from 'zod'
import { NodeRole, PasswordPolicy } from '@shulin/protocol'
import { announceProblem } from '@shulin/federation/addresses'
import { parseTrustedProxies } from '../http/proxy.js'
import { Sip2Url } from '../sip2/url.js'

/** How one setting is named and explained where operators meet it. */
export interface Setting {
  /** The `shulin start` flag, without its dashes; a test-only setting has none. */
  flag?: string
  env: `SHULIN_${string}`
  /** What the flag takes in the usage line (`N`, `DIR`); a switch takes nothing. An enum's choices by default. */
  value?: string
  /** One line, English. */
  en: string
  /** The same line in Chinese. */
  zh: string
  /** Read from the environment for tests only: accepted, never listed by `--help` or README. */
  testOnly?: true
}

/** Where each field of {@link NodeConfig} declares its flag, variable and description. */
export const settings = z.registry<Setting>()

const days = 86_400_000

/** `30s`, `30m`, `6h`, `24h`, `7d` → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim())
  if (!m) return undefined
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: days }[m[2] as 's' | 'm' | 'h' | 'd']
}

/** An optional duration setting, given as `30m`/`6h`/`24h` and read as milliseconds (1 s to a year). */
function duration(flag: string, env: `SHULIN_${string}`, text: { en: string; zh: string }) {
  return z
    .union([z.number().int(), z.string()])
    .transform((v, ctx) => {
      const ms = typeof v === 'number' ? v : parseDuration(v)
      if (ms === undefined || ms < 1000 || ms > 366 * days) {
        ctx.addIssue({ code: 'custom', message: 'a duration such as 30m, 6h, 24h or 7d (1s to 366d)' })
        return z.NEVER
      }
      return ms
    })
    .optional()
    .register(settings, { flag, env, value: 'DURATION', ...text })
}

export const NodeConfig = z
  .strictObject({
    dataDir: z.string().min(1).default('./data').register(settings, {
      flag: 'data',
      env: 'SHULIN_DATA',
      value: 'DIR',
      en: 'The data folder: identity, database, files, search index',
      zh: '数据文件夹：身份、数据库、文件、检索索引',
    }),
    port: z.coerce.number().int().min(0).max(65535).default(8090).register(settings, {
      flag: 'port',
      env: 'SHULIN_PORT',
      value: 'N',
      en: 'HTTP port for readers and staff (0: any free port)',
      zh: '读者和馆员访问的 HTTP 端口（0：任一空闲端口）',
    }),
    p2pPort: z.coerce.number().int().min(0).max(65535).default(8091).register(settings, {
      flag: 'p2p-port',
      env: 'SHULIN_P2P_PORT',
      value: 'N',
      en: 'TCP port for the peer network (libp2p); keep a hub’s fixed, invites carry it',
      zh: '节点间网络（libp2p）的 TCP 端口；中心节点请固定，邀请码中带有它',
    }),
    rtmpPort: z.coerce.number().int().min(0).max(65535).default(1935).register(settings, {
      flag: 'rtmp-port',
      env: 'SHULIN_RTMP_PORT',
      value: 'N',
      en: 'RTMP port live-lecture encoders (OBS, ffmpeg) push to, one for all lectures (0: any free port)',
      zh: '直播编码器（OBS、ffmpeg）推流的 RTMP 端口，所有直播共用（0：任一空闲端口）',
    }),
    host: z.string().min(1).default('0.0.0.0').register(settings, {
      flag: 'host',
      env: 'SHULIN_HOST',
      value: 'H',
      en: 'Address to listen on (all interfaces by default)',
      zh: '监听地址（默认所有网卡）',
    }),
    /**
     * What peers should dial: a hub behind a router's port forward or in a container announces
     * its public address, since its listen addresses (`0.0.0.0`, a container's private address)
     * are nobody else's way in. Invites and the registry entry carry these instead.
     */
    announce: z
      .union([z.array(z.string()), z.string()])
      .transform((v, ctx) => {
        const addrs = (Array.isArray(v) ? v : v.split(','))
          .map((a) => a.trim())
          .filter(Boolean)
          .slice(0, 9)
        if (addrs.length > 8) ctx.addIssue({ code: 'custom', message: 'at most 8 addresses to announce' })
        for (const a of addrs) {
          const problem = announceProblem(a)
          if (problem)
            ctx.addIssue({
              code: 'custom',
              message: `${problem}: give the address peers should dial, e.g. /ip4/203.0.113.7/tcp/8091 or /dns4/hub.example.org/tcp/8091 (several separated by commas)`,
            })
        }
        return addrs
      })
      .optional()
      .register(settings, {
        flag: 'announce',
        env: 'SHULIN_ANNOUNCE',
        value: 'ADDR,…',
        en: 'Addresses peers should dial (multiaddrs, e.g. /dns4/hub.example.org/tcp/8091), when the listen address is not one they can reach',
        zh: '其他节点应拨号的地址（multiaddr，如 /dns4/hub.example.org/tcp/8091），用于监听地址对方无法直接访问时',
      }),
    role: NodeRole.default('node').register(settings, {
      flag: 'role',
      env: 'SHULIN_ROLE',
      en: 'A library’s node, or the hub of a network',
      zh: '图书馆节点，或网络的中心节点',
    }),
    name: z.string().trim().min(1).max(64).default('书林图书馆').register(settings, {
      flag: 'name',
      env: 'SHULIN_NAME',
      value: 'NAME',
      en: 'The library’s name, as readers and other libraries see it',
      zh: '图书馆名称，读者和其他图书馆看到的名字',
    }),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .register(settings, {
        flag: 'log-level',
        env: 'SHULIN_LOG_LEVEL',
        value: 'L',
        en: 'Log level: fatal, error, warn, info, debug, trace or silent',
        zh: '日志级别：fatal、error、warn、info、debug、trace 或 silent',
      }),
    maxBodyBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .register(settings, {
        flag: 'max-body',
        env: 'SHULIN_MAX_BODY',
        value: 'BYTES',
        en: 'Largest JSON request body, in bytes',
        zh: 'JSON 请求体上限（字节）',
      }),
    maxUploadBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 ** 3)
      .default(2 * 1024 ** 3)
      .register(settings, {
        flag: 'max-upload',
        env: 'SHULIN_MAX_UPLOAD',
        value: 'BYTES',
        en: 'Largest uploaded file (and import file), in bytes',
        zh: '上传文件（及导入文件）上限（字节）',
      }),
    passwordPolicy: PasswordPolicy.default('standard').register(settings, {
      flag: 'password-policy',
      env: 'SHULIN_PASSWORD_POLICY',
      en: 'Rules for new passwords (legacy: as an older system allowed)',
      zh: '新密码规则（legacy：沿用旧系统的宽松规则）',
    }),
    trustProxy: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false)
      .register(settings, {
        flag: 'trust-proxy',
        env: 'SHULIN_TRUST_PROXY',
        en: 'Trust X-Forwarded-* from one reverse proxy in front of the node (the hop nearest it)',
        zh: '信任节点前一层反向代理的 X-Forwarded-* 头',
      }),
    /**
     * Which proxies to trust instead: a number of hops nearest the node, or their addresses and
     * CIDR ranges (`10.0.0.0/8,loopback`). The client address is the first hop that is not one.
     */
    trustedProxies: z
      .union([
        z.number().int().min(0).max(32),
        z.array(z.string().min(1).max(100)).max(64),
        z.string().trim().min(1).max(2000),
      ])
      .transform((v, ctx) => {
        try {
          return typeof v === 'number' ? v : parseTrustedProxies(Array.isArray(v) ? v.join(',') : v)
        } catch (err) {
          ctx.addIssue({
            code: 'custom',
            message: `a number of hops, or addresses and CIDR ranges separated by commas (${(err as Error).message})`,
          })
          return z.NEVER
        }
      })
      .optional()
      .register(settings, {
        flag: 'trusted-proxies',
        env: 'SHULIN_TRUSTED_PROXIES',
        value: 'N|ADDR,CIDR,…',
        en: 'Proxies to trust instead: a number of hops, or their addresses and CIDR ranges',
        zh: '改为信任这些代理：跳数，或其地址与 CIDR 网段',
      }),
    /**
     * The URL readers use. Links, share URLs and sign-in redirects name it; without it they name
     * the listen address (or the request's, when that is one of the node's own addresses).
     */
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .register(settings, {
        flag: 'public-url',
        env: 'SHULIN_PUBLIC_URL',
        value: 'URL',
        en: 'The URL readers use (links, share URLs and sign-in redirects name it)',
        zh: '读者访问的网址（链接、分享和登录跳转都用它）',
      }),
    adminEmail: z.email().default('admin@shulin.invalid').register(settings, {
      flag: 'admin-email',
      env: 'SHULIN_ADMIN_EMAIL',
      value: 'ADDR',
      en: 'Who harvesters write to (OAI-PMH Identify)',
      zh: '元数据收割方的联系邮箱（OAI-PMH Identify）',
    }),
    search: z.enum(['embedded', 'meilisearch']).default('embedded').register(settings, {
      flag: 'search',
      env: 'SHULIN_SEARCH',
      en: 'The search engine: in process, or a Meilisearch server for large nodes',
      zh: '检索引擎：内置，或大型节点用的 Meilisearch 服务',
    }),
    meiliUrl: z.url().optional().register(settings, {
      flag: 'meili-url',
      env: 'SHULIN_MEILI_URL',
      value: 'URL',
      en: 'The Meilisearch server (with --search meilisearch)',
      zh: 'Meilisearch 服务地址（配合 --search meilisearch）',
    }),
    meiliKey: z.string().min(1).max(512).optional().register(settings, {
      flag: 'meili-key',
      env: 'SHULIN_MEILI_KEY',
      value: 'KEY',
      en: 'A Meilisearch API key allowed to manage this node’s index',
      zh: '可管理本节点索引的 Meilisearch API 密钥',
    }),
    /** WeChat's URL check and message signatures use it; a token saved in the console wins. */
    wechatToken: z
      .string()
      .regex(/^[0-9A-Za-z]{3,32}$/, '3 to 32 letters or digits')
      .optional()
      .register(settings, {
        flag: 'wechat-token',
        env: 'SHULIN_WECHAT_TOKEN',
        value: 'TOKEN',
        en: 'The WeChat official account’s token (the console’s, once saved, wins)',
        zh: '微信公众号的令牌 Token（在控制台保存后以控制台为准）',
      }),
    wechatApiUrl: z
      .url({ protocol: /^https?$/ })
      .default('https://api.weixin.qq.com')
      .register(settings, {
        flag: 'wechat-api-url',
        env: 'SHULIN_WECHAT_API_URL',
        value: 'URL',
        en: 'WeChat’s API servers (a stand-in for tests)',
        zh: '微信 API 服务器地址（测试时指向替身）',
      }),
    visitorCheckSeconds: z.coerce.number().int().min(1).max(3600).default(300).register(settings, {
      flag: 'visitor-check-seconds',
      env: 'SHULIN_VISITOR_CHECK_SECONDS',
      value: 'S',
      en: 'Seconds between checks of visiting readers with their home libraries',
      zh: '向来访读者的本馆核验其账号的间隔（秒）',
    }),
    directoryPullSeconds: z.coerce.number().int().min(1).max(86_400).default(60).register(settings, {
      flag: 'directory-pull-seconds',
      env: 'SHULIN_DIRECTORY_PULL_SECONDS',
      value: 'S',
      en: 'Hub: seconds between pulls of members’ phone-directory hashes and reader counts',
      zh: '中心节点：拉取成员馆手机号目录摘要与读者数的间隔（秒）',
    }),
    mirrorRate: z.coerce
      .number()
      .int()
      .min(0)
      .max(10 * 1024 ** 3)
      .default(10 * 1024 ** 2)
      .register(settings, {
        flag: 'mirror-rate',
        env: 'SHULIN_MIRROR_RATE',
        value: 'BYTES_PER_S',
        en: 'Mirroring subscribed channels: bytes per second over all providers (0: no limit)',
        zh: '镜像订阅频道：所有来源合计每秒字节数（0：不限）',
      }),
    mirrorHours: z
      .string()
      .regex(/^([01]?\d|2[0-4])-([01]?\d|2[0-4])$/, 'hours as FROM-TO, e.g. 22-6')
      .default('0-24')
      .register(settings, {
        flag: 'mirror-hours',
        env: 'SHULIN_MIRROR_HOURS',
        value: 'FROM-TO',
        en: 'Hours of the day mirroring runs, local time (22-6: overnight)',
        zh: '镜像运行的时段，本地时间（22-6：夜间）',
      }),
    /**
     * A member subscribes to the hub's live lectures: it mirrors their schedule, relays each
     * live one once and serves it to its own readers, and carries their questions to the hub.
     */
    relayLive: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false)
      .register(settings, {
        flag: 'relay-live',
        env: 'SHULIN_RELAY_LIVE',
        en: "Member: relay the hub's live lectures to this node's readers (one copy from the hub, any number of viewers)",
        zh: '成员节点：转播中心节点的直播课，本馆读者从本节点观看（中心只发一份）',
      }),
    sip2Url: Sip2Url.optional().register(settings, {
      flag: 'sip2-url',
      env: 'SHULIN_SIP2_URL',
      value: 'URL',
      en: 'The library’s ILS for reader sign-in: sip2://USER:PASSWORD@HOST:PORT?institution=ID[&location=LOC][&tls=1]',
      zh: '读者登录所用的图书馆集成系统（SIP2）：sip2://用户:密码@主机:端口?institution=机构代码[&location=馆点][&tls=1]',
    }),
    oidcProviders: z.string().min(1).optional().register(settings, {
      flag: 'oidc-providers',
      env: 'SHULIN_OIDC_PROVIDERS',
      value: 'FILE',
      en: 'A JSON file of third-party sign-in providers (QQ, Weibo, WeChat…)',
      zh: '第三方登录（QQ、微博、微信…）配置的 JSON 文件',
    }),
    sparqlTimeLimit: z.coerce.number().min(0.1).max(600).default(10).register(settings, {
      flag: 'sparql-time-limit',
      env: 'SHULIN_SPARQL_TIME_LIMIT',
      value: 'SECONDS',
      en: 'Seconds a SPARQL query may run at /sparql before it is stopped',
      zh: 'SPARQL 查询（/sparql）最长运行秒数，超时即停止',
    }),
    sparqlMaxResults: z.coerce.number().int().min(1).max(1_000_000).default(10_000).register(settings, {
      flag: 'sparql-max-results',
      env: 'SHULIN_SPARQL_MAX_RESULTS',
      value: 'N',
      en: 'Rows (or triples) a SPARQL query at /sparql may give',
      zh: 'SPARQL 查询（/sparql）最多返回的结果条数（或三元组数）',
    }),
    sparqlIdleRelease: z.coerce.number().min(0).max(10_080).default(30).register(settings, {
      flag: 'sparql-idle-release',
      env: 'SHULIN_SPARQL_IDLE_RELEASE',
      value: 'MINUTES',
      en: 'Minutes without a SPARQL query after which its store is released (built again by the next query; 0 keeps it)',
      zh: 'SPARQL 存储闲置多少分钟后释放内存（下次查询时重建；0 为一直保留）',
    }),
    statsRawDays: z.coerce.number().int().min(1).max(3660).default(30).register(settings, {
      flag: 'stats-raw-days',
      env: 'SHULIN_STATS_RAW_DAYS',
      value: 'DAYS',
      en: 'Days raw usage events are kept before only daily figures remain',
      zh: '原始使用记录保留天数，之后只留每日统计',
    }),
    ffmpeg: z.string().min(1).optional().register(settings, {
      flag: 'ffmpeg',
      env: 'SHULIN_FFMPEG',
      value: 'PATH',
      en: 'The ffmpeg program that transcodes lecture videos (found on PATH by default)',
      zh: '转码课程视频的 ffmpeg 程序（默认在 PATH 中查找）',
    }),
    ffprobe: z.string().min(1).optional().register(settings, {
      flag: 'ffprobe',
      env: 'SHULIN_FFPROBE',
      value: 'PATH',
      en: 'The ffprobe program that reads a video’s length and size (found on PATH by default)',
      zh: '读取视频时长和尺寸的 ffprobe 程序（默认在 PATH 中查找）',
    }),
    transcodeConcurrency: z.coerce.number().int().min(1).max(16).default(1).register(settings, {
      flag: 'transcode-concurrency',
      env: 'SHULIN_TRANSCODE_CONCURRENCY',
      value: 'N',
      en: 'Lecture videos transcoded at once (each takes the CPU it can get)',
      zh: '同时转码的课程视频数（每个会尽量占满 CPU）',
    }),
    transcodeTimeout: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(0)
      .register(settings, {
        flag: 'transcode-timeout',
        env: 'SHULIN_TRANSCODE_TIMEOUT',
        value: 'SECONDS',
        en: 'A transcode running longer is stopped and fails (0: three times the video’s length plus ten minutes)',
        zh: '转码超过此时长即停止并记为失败（0：视频时长的三倍再加十分钟）',
      }),
    maxVideoDuration: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(6 * 3600)
      .register(settings, {
        flag: 'max-video-duration',
        env: 'SHULIN_MAX_VIDEO_DURATION',
        value: 'SECONDS',
        en: 'Longest lecture video accepted for transcoding, in seconds',
        zh: '可转码的课程视频最长时长（秒）',
      }),
    maxVideoHeight: z.coerce.number().int().min(16).max(4320).default(2160).register(settings, {
      flag: 'max-video-height',
      env: 'SHULIN_MAX_VIDEO_HEIGHT',
      value: 'PIXELS',
      en: 'Tallest lecture video accepted for transcoding, in pixels',
      zh: '可转码的课程视频最大高度（像素）',
    }),
    embedAncestors: z
      .string()
      .trim()
      .max(1000)
      .regex(
        /^(\*|'self'|'none'|https?:|https?:\/\/(\*\.)?[a-zA-Z0-9.-]+(:\d{1,5})?)( +(\*|'self'|'none'|https?:|https?:\/\/(\*\.)?[a-zA-Z0-9.-]+(:\d{1,5})?))*$/,
        'invalid_frame_ancestors',
      )
      .default('*')
      .register(settings, {
        flag: 'embed-ancestors',
        env: 'SHULIN_EMBED_ANCESTORS',
        value: 'SOURCES',
        en: "Sites that may frame the /embed/ pages of public courses (CSP frame-ancestors: '*', 'self', https://lib.example.cn …)",
        zh: "允许以 iframe 嵌入公开课 /embed/ 页面的网站（CSP frame-ancestors：*、'self'、https://lib.example.cn …）",
      }),
    backupEvery: duration('backup-every', 'SHULIN_BACKUP_EVERY', {
      en: 'Make a backup this often (30m, 6h, 24h, 7d); none unless set',
      zh: '定时备份的间隔（30m、6h、24h、7d）；不设则不定时备份',
    }),
    backupKeep: z.coerce.number().int().min(1).max(1000).default(7).register(settings, {
      flag: 'backup-keep',
      env: 'SHULIN_BACKUP_KEEP',
      value: 'N',
      en: 'Scheduled backups kept; the oldest goes once a newer one is written',
      zh: '保留的定时备份份数；新备份写成后删除最旧的',
    }),
    backupDir: z.string().min(1).optional().register(settings, {
      flag: 'backup-dir',
      env: 'SHULIN_BACKUP_DIR',
      value: 'DIR',
      en: 'Where scheduled backups go (DATA/backups by default; better another disk)',
      zh: '定时备份存放的文件夹（默认 数据文件夹/backups；最好放在另一块磁盘）',
    }),
    minFreeDisk: z
      .string()
      .trim()
      .regex(
        /^\d+(\.\d+)?\s*(%|b|k|m|g|t|kb|mb|gb|tb|kib|mib|gib|tib)?$/i,
        'bytes (500MB, 2GiB) or a share of the disk (5%)',
      )
      .optional()
      .register(settings, {
        flag: 'min-free-disk',
        env: 'SHULIN_MIN_FREE_DISK',
        value: 'SIZE|N%',
        en: 'Uploads and imports pause below this much free disk (default: 1 GiB or 5%, the smaller)',
        zh: '磁盘剩余空间低于此值时暂停上传和导入（默认 1 GiB 与 5% 中较小者）',
      }),
    liveRoomClients: z.coerce.number().int().min(1).max(1_000_000).default(5000).register(settings, {
      flag: 'live-room-clients',
      env: 'SHULIN_LIVE_ROOM_CLIENTS',
      value: 'N',
      en: 'Most WebSocket clients in one live lecture’s room (readers and relaying nodes)',
      zh: '一场直播互动室最多的 WebSocket 连接数（读者与转发节点）',
    }),
    liveRoomClientsPerAddress: z.coerce.number().int().min(1).max(1_000_000).default(200).register(settings, {
      flag: 'live-room-per-address',
      env: 'SHULIN_LIVE_ROOM_PER_ADDRESS',
      value: 'N',
      en: 'Most room connections from one address (a reading room behind one NAT shares it)',
      zh: '同一地址最多的互动室连接数（同一 NAT 后的阅览室共用一个地址）',
    }),
    metricsToken: z.string().min(16).max(512).optional().register(settings, {
      flag: 'metrics-token',
      env: 'SHULIN_METRICS_TOKEN',
      value: 'TOKEN',
      en: 'Bearer token for /metrics from other machines (16+ characters); 127.0.0.1 needs none',
      zh: '其他机器读取 /metrics 用的令牌（至少 16 个字符）；本机 127.0.0.1 无需令牌',
    }),
    logFile: z.string().min(1).optional().register(settings, {
      flag: 'log-file',
      env: 'SHULIN_LOG_FILE',
      value: 'PATH',
      en: 'Write logs to this file, rotated daily and at 50 MB, instead of stdout',
      zh: '日志写入此文件（每天及满 50 MB 轮换），不再写到标准输出',
    }),
    logKeep: z.coerce.number().int().min(1).max(365).default(14).register(settings, {
      flag: 'log-keep',
      env: 'SHULIN_LOG_KEEP',
      value: 'N',
      en: 'Rotated log files kept (with --log-file)',
      zh: '保留的轮换日志文件数（配合 --log-file）',
    }),
    smtpUrl: z
      .url({ protocol: /^smtps?$/ })
      .optional()
      .register(settings, {
        flag: 'smtp-url',
        env: 'SHULIN_SMTP_URL',
        value: 'URL',
        en: 'Mail server for alerts: smtp://user:pass@host:587 or smtps://…:465',
        zh: '发送告警邮件的服务器：smtp://用户:密码@主机:587 或 smtps://…:465',
      }),
    alertEmail: z.email().optional().register(settings, {
      flag: 'alert-email',
      env: 'SHULIN_ALERT_EMAIL',
      value: 'ADDR',
      en: 'Who is mailed when a backup fails, the disk runs low or the hub is unreachable',
      zh: '备份失败、磁盘空间不足或连不上中心节点时通知的邮箱',
    }),
    alertHubHours: z.coerce.number().min(0.01).max(720).default(6).register(settings, {
      flag: 'alert-hub-hours',
      env: 'SHULIN_ALERT_HUB_HOURS',
      value: 'H',
      en: 'A member alerts once the hub has been unreachable this many hours',
      zh: '成员馆连续这么多小时连不上中心节点时发出告警',
    }),
    harvestEveryHours: z.coerce
      .number()
      .min(0)
      .max(24 * 366)
      .default(24)
      .register(settings, {
        flag: 'harvest-every',
        env: 'SHULIN_HARVEST_EVERY',
        value: 'HOURS',
        en: 'Harvest the added OAI-PMH repositories every so many hours (0: only by `shulin harvest run`)',
        zh: '每隔多少小时采集已添加的 OAI-PMH 仓储（0：仅手动 `shulin harvest run`）',
      }),
    /**
     * Tests only: the node runs as if its clock were this far off, so tests across processes can
     * show what peers with wrong clocks do. Every service gets the skewed clock as the node's own.
     */
    clockSkewMs: z.coerce
      .number()
      .int()
      .min(-366 * days)
      .max(366 * days)
      .optional()
      .register(settings, {
        env: 'SHULIN_CLOCK_SKEW_MS',
        testOnly: true,
        en: 'Tests only: run as if the clock were this many ms ahead (negative: behind)',
        zh: '仅供测试：假装时钟快了这么多毫秒（负数：慢了）',
      }),
    /** Accept Web Push endpoints on loopback http: a local stand-in push service in tests. */
    testPushHttp: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .optional()
      .register(settings, {
        env: 'SHULIN_TEST_PUSH_HTTP',
        testOnly: true,
        en: 'Tests only: accept Web Push endpoints on loopback http',
        zh: '仅测试：接受本机 http 推送地址',
      }),
    /**
     * Tests only: the node refuses every inbound connection that is not relayed, as a router
     * doing NAT drops connections from outside while letting the node's own out, so tests on
     * one machine can show a member that nobody can dial still reached through the hub.
     */
    testBehindNat: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .optional()
      .register(settings, {
        env: 'SHULIN_TEST_BEHIND_NAT',
        testOnly: true,
        en: 'Tests only: refuse inbound peer connections that do not come through a relay',
        zh: '仅供测试：拒绝不经中继的入站节点连接',
      }),
  })
  .refine((c) => !c.smtpUrl === !c.alertEmail, {
    message: 'alerts need both --smtp-url and --alert-email (or SHULIN_SMTP_URL and SHULIN_ALERT_EMAIL)',
    path: ['alertEmail'],
  })
  .refine((c) => c.search !== 'meilisearch' || c.meiliUrl, {
    message: '--search meilisearch needs --meili-url (or SHULIN_MEILI_URL)',
    path: ['meiliUrl'],
  })
export type NodeConfig = z.infer<typeof NodeConfig>
export type NodeConfigInput = z.input<typeof NodeConfig>

/** One setting as `--help`, README and the readers below see it. */
export interface DeclaredSetting extends Setting {
  key: keyof NodeConfig
  /** What the node runs with when neither flag nor variable is given (`undefined`: off or unset). */
  default: unknown
}

/** Every setting, in declaration order (the order of `--help`). */
export const declaredSettings: readonly DeclaredSetting[] = Object.entries(NodeConfig.shape).map(([key, schema]) => {
  const meta = settings.get(schema)
  // A field without its declaration would be a setting no flag or variable can set.
  if (!meta) throw new Error(`NodeConfig.${key} is not registered in settings`)
  return {
    ...meta,
    key: key as keyof NodeConfig,
    value: meta.value ?? choices(schema),
    default: schema.safeParse(undefined).data,
  }
})

/** An enum's choices (`node|hub`), looked for under its default or optional wrapper. */
function choices(schema: z.ZodType): string | undefined {
  const inner =
    schema instanceof z.ZodDefault || schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema
  return inner instanceof z.ZodEnum ? (inner.options as string[]).join('|') : undefined
}

/** Reads the `SHULIN_*` variables that are set. */
export function configFromEnv(env: Record<string, string | undefined>): Partial<Record<keyof NodeConfig, string>> {
  const out: Partial<Record<keyof NodeConfig, string>> = {}
  for (const s of declaredSettings) {
    const v = env[s.env]
    if (v !== undefined && v !== '') out[s.key] = v
  }
  return out
}

/** The flags `shulin start` accepts, for `node:util` `parseArgs`: a string each, a switch for a boolean. */
export const configFlags: Record<string, { type: 'string' | 'boolean' }> = Object.fromEntries(
  declaredSettings.filter((s) => s.flag).map((s) => [s.flag, { type: s.value === undefined ? 'boolean' : 'string' }]),
)

/** The settings given as flags (as `parseArgs` read them), by key. */
export function configFromFlags(
  values: Record<string, string | boolean | undefined>,
): Partial<Record<keyof NodeConfig, string | boolean>> {
  const out: Partial<Record<keyof NodeConfig, string | boolean>> = {}
  for (const s of declaredSettings) {
    const v = s.flag === undefined ? undefined : values[s.flag]
    if (v !== undefined) out[s.key] = v
  }
  return out
}
