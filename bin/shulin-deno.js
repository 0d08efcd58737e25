// The `shulin` command under Deno 2: `deno run -A bin/shulin-deno.js start`.
import process from 'node:process'
import { main } from '../node/dist/cli/main.js'
import { denoRuntime } from '../node/dist/runtime/deno.js'

await main(process.argv.slice(2), denoRuntime)
