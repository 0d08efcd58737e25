#!/usr/bin/env node
// The `shulin` command (Node.js). Build output lives in node/dist (made by `npm install`).
import { main } from '../node/dist/cli/main.js'
import { nodeRuntime } from '../node/dist/runtime/node.js'

await main(process.argv.slice(2), nodeRuntime)
