/**
 * The one credential check of both endpoints: constant-time, whatever the lengths or where the strings differ.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether `given` equals `expected`, compared as SHA-256 digests in constant time, so neither the secret's content
 * nor its length leaks through timing.
 * @example if (!sameSecret(bearerToken, token)) throw new EndpointError(401, "unauthenticated", "invalid token");
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
