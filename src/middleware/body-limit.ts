import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../lib/errors.ts";

/**
 * Refuses bodies over `maxBytes` with 413, counting the bytes as they stream in, so a missing or lying
 * `content-length` cannot get a larger body through.
 *
 * @example
 * ```ts
 * app.use("/redis/*", limitBody(2 * 1024 * 1024));
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
