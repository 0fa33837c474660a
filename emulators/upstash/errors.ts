import { EndpointError } from "../http/errors.ts";

/**
 * The 503 for a Redis that cannot be reached. The emulator keeps reconnecting, so a retry may succeed.
 * @example
 * throw unavailable(new Error("connect ECONNREFUSED 127.0.0.1:6379"));
 */
export function unavailable(cause: unknown): EndpointError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EndpointError(
    503,
    "unavailable",
    `ERR Redis is unreachable (${reason}); the emulator reconnects by itself`,
  );
}

/**
 * A 400 carrying a message the client shows as is (Redis' own error text, or why a request is malformed).
 * @example
 * throw badRequest("ERR empty pipeline request");
 */
export function badRequest(message: string): EndpointError {
  return new EndpointError(400, "bad_request", message);
}
