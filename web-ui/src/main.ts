import './app.js'

// The service worker keeps the shell and the books a reader opened readable offline.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      /* no offline support on this browser; everything else works */
    })
  })
}
