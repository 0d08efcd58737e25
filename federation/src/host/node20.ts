/**
 * @module host/node20
 * js-libp2p 3 calls `Promise.withResolvers` (Node 22+); Shulin supports Node 20.19, which the
 * county libraries' LTS distributions ship. This adds the standard method where it is missing
 * (ES2024 semantics; nothing else changes).
 */
interface Resolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> }
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: Resolvers<T>['resolve']
    let reject!: Resolvers<T>['reject']
    const promise = new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}
export {}
