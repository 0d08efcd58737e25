/**
 * Test support, loaded with `node --import`: resolves `*.localhost` to 127.0.0.1, as browsers
 * do (RFC 6761) and glibc does not. The identity tests give the hub and each library their
 * own host name, because cookies ignore ports: three nodes on 127.0.0.1 would share one
 * cookie jar, which no real network of libraries does.
 */
import dns from 'node:dns'

const lookup = dns.lookup
dns.lookup = function (host, options, callback) {
  if (typeof options === 'function') return lookup.call(this, /\.localhost$/i.test(host) ? '127.0.0.1' : host, options)
  return lookup.call(this, /\.localhost$/i.test(host) ? '127.0.0.1' : host, options, callback)
}
