/**
 * hls.js ships types for its full build only; the light build (`hls.js/light`: no subtitle,
 * alternate-audio or DRM code) has the same API for what it keeps.
 */
declare module 'hls.js/light' {
  export * from 'hls.js'
  export { default } from 'hls.js'
}
