// The `shulin` command under Deno 2: `deno run -A bin/shulin-deno.js start`.
import process from 'node:process'
import { main } from '../node/dist/cli/main.js'
import { denoRuntime } from '../node/dist/runtime/deno.js'

await main(process.argv.slice(2), denoRuntime)
// Under Deno, Node-compat handles (signal listeners, the logger's stream) can keep the event
// loop alive after the node has closed cleanly; the command is done here.
process.exit(process.exitCode ?? 0)
