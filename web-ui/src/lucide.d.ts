/**
 * Lucide's icons one file each (`lucide/dist/esm/icons/house.mjs`): importing them one by one
 * keeps the shell's bundle to the few icons it draws (the package's index holds ~1,600). The
 * package types its index only; each icon file's default export is the same `IconNode`.
 */
declare module 'lucide/dist/esm/icons/*.mjs' {
  const icon: import('lucide').IconNode
  export default icon
}
