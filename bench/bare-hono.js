// The peer for `npm run bench`: a bare Hono hello-world on @hono/node-server.
import { Hono } from 'hono'
import { serve } from '@hono/node-server'

const app = new Hono().get('/api/health', (c) => c.json({ status: 'ok' }))
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.argv[2]) }, () => process.stdout.write('ready\n'))
