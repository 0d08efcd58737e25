/**
 * @module stats/device
 * The device class of a user agent, and whether it is a robot. Coarse on purpose: the
 * dashboards need phone / tablet / computer, and robots must not be counted (COUNTER excludes
 * them from every metric).
 */
import type { DeviceClass } from './metrics.js'

const robot =
  /bot\b|crawl|spider|slurp|curl\/|wget|python-requests|httpclient|headless|scrapy|go-http-client|okhttp\/[0-3]\./i
const tablet = /ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))/i
const mobile = /mobi|iphone|ipod|android|harmonyos|windows phone|micromessenger|opera mini/i
const desktop = /windows nt|macintosh|mac os x|x11|linux x86_64|cros/i

export function isRobot(userAgent: string): boolean {
  return robot.test(userAgent)
}

export function deviceClass(userAgent: string): DeviceClass {
  if (tablet.test(userAgent)) return 'tablet'
  if (mobile.test(userAgent)) return 'mobile'
  if (desktop.test(userAgent)) return 'desktop'
  return 'other'
}
