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

// Web Push (issue 21): the node sends a notice — kind, title, body and a portal link, nothing
// about the reader — encrypted for this browser; it is shown as a notification (tagged by the
// notice id, so a resend replaces rather than repeats), open pages refresh their unread badge,
// and a tap opens the notice's page (a tab already open on the portal is reused).
self.addEventListener('push', (event) => {
  let notice = { title: '书林', body: '', link: '/me/inbox', id: '' }
  try {
    const data = event.data ? event.data.json() : {}
    if (data && typeof data.title === 'string') notice = { ...notice, ...data }
  } catch {
    // Not JSON: still say something arrived; the inbox has it.
  }
  const link = typeof notice.link === 'string' && notice.link.startsWith('/') ? notice.link : '/me/inbox'
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(notice.title, {
        body: notice.body || '',
        icon: '/icon.svg',
        badge: '/icon.svg',
        tag: notice.id || undefined,
        lang: 'zh-CN',
        data: { link },
      }),
      self.clients
        .matchAll({ type: 'window' })
        .then((clients) => clients.forEach((c) => c.postMessage({ type: 'shulin-notice', id: notice.id }))),
    ]),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const link = (event.notification.data && event.notification.data.link) || '/me/inbox'
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
      const open = clients.find((c) => new URL(c.url).origin === location.origin)
      return open ? open.navigate(link).then((c) => (c ?? open).focus()) : self.clients.openWindow(link)
    }),
  )
})
