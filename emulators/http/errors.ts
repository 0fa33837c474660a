/**
 * The one error idiom of both endpoints: handlers and middleware throw an EndpointError, and each app's onError
 * renders it in the shape its clients read (Upstash: `{"error": "…"}`; PlanetScale: `{"error": {code, message}}`).
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * A failure that ends a request with `status`; `code` is the machine-readable kind where the protocol has one.
 * @example throw new EndpointError(413, "resource_exhausted", "request body is larger than 16777216 bytes (16 MiB)");
 */
export class EndpointError extends Error {
  override name = "EndpointError";
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/**
 * The 413 both endpoints answer, naming the cap, for hono/body-limit's `onError`.
 * @example bodyLimit({ maxSize, onError: () => { throw tooLarge(maxSize, "resource_exhausted", "request body is") } });
 */
export function tooLarge(maxBytes: number, code: string, what: string): EndpointError {
  // The rest of the body is not read; closing makes sure the connection is not reused half-way through it.
  return new EndpointError(
    413,
    code,
    `${what} larger than the cap of ${maxBytes} bytes (${mebibytes(maxBytes)})`,
    {
      connection: "close",
    },
  );
}

function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(2)} MiB`;
}
