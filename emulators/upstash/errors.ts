/**
 * A failure that ends a request with a given HTTP status and `{"error": message}`.
 * @example
 * throw new HttpError(400, "ERR empty pipeline request");
 */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * The 503 for a Redis that cannot be reached. The emulator keeps reconnecting, so a retry may succeed.
 * @example
 * throw unavailable(new Error("connect ECONNREFUSED 127.0.0.1:6379"));
 */
export function unavailable(cause: unknown): HttpError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new HttpError(503, `ERR Redis is unreachable (${reason}); the emulator reconnects by itself`);
}
