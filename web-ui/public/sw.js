// Shulin's service worker: the app shell and the books a reader has opened stay readable
// offline. Pages: network first, the cached shell when offline. Built assets (hashed names):
// cache first. Book content: cached when opened, served from the cache when the network
// fails. An activity's public page data likewise (a reader shows their check-in code in a hall
// with no signal; the code itself is kept by the page). The API is otherwise never cached (it
// is personal and changes).
const SHELL = 'shulin-shell-v1'
const BOOKS = 'shulin-books-v1'

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((c) => c.addAll(['/', '/manifest.webmanifest', '/icon.svg']))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL && k !== BOOKS).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

const content = /^\/api\/resources\/[^/]+\/(content|files\/cover|files\/thumbnail)$/
const record = /^\/api\/resources\/[^/]+$/
const activity = /^\/api\/activities\/[^/]+$/

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== location.origin) return
  if (req.mode === 'navigate') {
    event.respondWith(
      fetch(req)
        .then((res) => {
          const copy = res.clone()
          caches.open(SHELL).then((c) => c.put('/', copy))
          return res
        })
        .catch(() => caches.match('/')),
    )
    return
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ??
          fetch(req).then((res) => {
            if (res.ok) caches.open(SHELL).then((c) => c.put(req, res.clone()))
            return res
          }),
      ),
    )
    return
  }
  if (
    (content.test(url.pathname) && !req.headers.has('range')) ||
    record.test(url.pathname) ||
    activity.test(url.pathname)
  ) {
    event.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone()
            caches.open(BOOKS).then((c) => c.put(req, copy))
          }
          return res
        })
        .catch(() =>
          caches
            .open(BOOKS)
            .then((c) => c.match(req))
            .then((hit) => hit ?? Response.error()),
        ),
    )
  }
})
