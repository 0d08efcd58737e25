#!/usr/bin/env node
// `npm run env-example`: writes docker/.env.example from the settings declared on NodeConfig
// (node/src/config/env-example.ts; run after `tsc -b`).
import { writeFile } from 'node:fs/promises'
import { envExample } from '../node/dist/config/env-example.js'

await writeFile(new URL('../docker/.env.example', import.meta.url), envExample())
console.log('wrote docker/.env.example')
