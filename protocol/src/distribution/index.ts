/** Content distribution: manifests and the `/shulin/content/1.0.0` wire messages. */
export * from './content.js'
