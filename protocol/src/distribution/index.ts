/** Content distribution: manifests, the `/shulin/content/1.0.0` wire messages and the HTTP fallback. */
export * from './content.js'
export * from './content-http.js'
export * from './holders.js'
