import type { MiddlewareHandler } from "hono";

/**
 * Names the charset on JSON answers (`application/json; charset=utf-8`), as docs/API.md promises, so clients
 * that do not default JSON to UTF-8 still decode emoji and accents right.
 *
 * @example
 * ```ts
 * app.use(jsonUtf8());
 * ```
 */
export function jsonUtf8(): MiddlewareHandler {
  return async function jsonUtf8(c, next) {
    await next();
    if (c.res.headers.get("content-type") === "application/json") {
      c.res.headers.set("content-type", "application/json; charset=utf-8");
    }
  };
}
