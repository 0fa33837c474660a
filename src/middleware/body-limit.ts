import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../lib/errors.ts";

/**
 * Refuses bodies over `maxBytes` with 413: by `content-length` when the client sends one (the runtime holds the
 * body to that length), else by counting the bytes as they stream in.
 *
 * @example
 * ```ts
 * new Hono<AppEnv>().put("/hashes/:key", limitBody(2 * 1024 * 1024), (c) => c.body(null, 204));
 * ```
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const limit = maxBytes >= 1024 * 1024 ? `${maxBytes / (1024 * 1024)} MiB` : `${maxBytes / 1024} KiB`;
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError("payload_too_large", `Request bodies here are limited to ${limit}.`);
    },
  });
}
