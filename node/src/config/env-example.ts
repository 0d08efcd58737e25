/**
 * @module config/env-example
 * The text of docker/.env.example, generated from the settings declared on `NodeConfig`, so
 * the file compose reads documents every setting `shulin start` takes (a test fails when one is
 * missing; `npm run env-example` writes it again). Every line is commented out: without a
 * `.env`, or with this one copied as it is, the node runs on its defaults.
 */
import { declaredSettings } from './config.js'

/** Settings compose.yaml fixes inside the container (the image's volume and ports). */
const fixedByCompose: Record<string, string> = {
  SHULIN_DATA: '/data, the volume',
  SHULIN_PORT: '8090; publish another host port with SHULIN_PUBLISH_PORT',
  SHULIN_P2P_PORT: '8091; publish another host port with SHULIN_PUBLISH_P2P_PORT',
  SHULIN_RTMP_PORT: '1935; publish another host port with SHULIN_PUBLISH_RTMP_PORT',
  SHULIN_HOST: '0.0.0.0',
}

const shown = (v: unknown) => (v === undefined || v === false ? '' : String(v))

/** docker/.env.example. */
export function envExample(): string {
  const lines = [
    '# Settings for docker/compose.yaml (docker/compose.hub.yaml, docker/compose.member.yaml).',
    '# Optional: compose starts without a .env. To change something, copy this file to docker/.env',
    '# and uncomment the lines you change. Every setting is also a flag of `shulin start`',
    '# (`shulin start --help`). Generated from node/src/config/config.ts: npm run env-example.',
    '',
    '# --- compose: what the host machine publishes, and the node’s time zone ---',
    '# The host port readers and staff use (the container’s 8090):',
    '# SHULIN_PUBLISH_PORT=8090',
    '# The host port other libraries’ nodes dial (the container’s 8091); a hub’s must stay fixed:',
    '# SHULIN_PUBLISH_P2P_PORT=8091',
    '# The host port speakers’ encoders push live lectures to (RTMP, the container’s 1935):',
    '# SHULIN_PUBLISH_RTMP_PORT=1935',
    '# Local time for --mirror-hours and logs:',
    '# TZ=Asia/Shanghai',
    '',
    '# --- the node: every setting of `shulin start` ---',
  ]
  for (const s of declaredSettings.filter((d) => !d.testOnly)) {
    lines.push('', `# ${s.en}`, `# ${s.zh}`)
    const fixed = fixedByCompose[s.env]
    if (fixed) lines.push(`# (compose.yaml sets it to ${fixed})`)
    lines.push(`# ${s.env}=${shown(s.default)}`)
  }
  lines.push(
    '',
    '# --- `shulin admin create` (docker compose exec shulin node bin/shulin.js admin create) ---',
    '# SHULIN_ADMIN_USERNAME=',
    '# SHULIN_ADMIN_PASSWORD=',
    '',
    '# --- the search profile (docker compose --profile search up -d): Meilisearch beside the node ---',
    '# SHULIN_SEARCH=meilisearch',
    '# SHULIN_MEILI_URL=http://meilisearch:7700',
    '# The master key Meilisearch starts with and the node uses (16 characters or more):',
    '# SHULIN_MEILI_KEY=',
  )
  return lines.join('\n') + '\n'
}
