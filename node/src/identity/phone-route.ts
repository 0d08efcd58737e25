/**
 * @module identity/phone-route
 * "Sign in with your phone number anywhere": which member library a phone number belongs to,
 * found through the hub's directory of keyed hashes.
 */
export interface PhoneRoute {
  /** The home node of a phone number, if a reader there agreed to be found by it. */
  homeOf(phone: string): Promise<string | undefined>
}
