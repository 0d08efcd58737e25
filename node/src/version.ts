/** @module version — the Shulin release this node runs (kept equal to package.json by a test). */
export const shulinVersion = '0.1.0'
