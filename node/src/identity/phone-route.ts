/**
 * @module identity/phone-route
 * "Sign in with your phone number anywhere": which member libraries a phone number belongs
 * to, found through the hub's directory of keyed hashes (the hub answers from its own copy;
 * a member asks the hub).
 */
export interface PhoneRoute {
  /** The home nodes of a phone number, where a reader agreed to be found by it. */
  homesOf(phone: string): Promise<string[]>
}
