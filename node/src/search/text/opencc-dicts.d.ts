/** opencc-js ships its dictionaries as modules without type declarations: each is one string. */
declare module 'opencc-js/dict/*' {
  /** `from to [alt…]|from to…`: entries separated by `|`, candidates by spaces. */
  const dict: string
  export default dict
}
