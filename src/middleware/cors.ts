import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env.ts";

/**
 * CORS for the origins listed in `CORS_ORIGINS` (comma-separated), and none otherwise: the API is meant for
 * servers and curl, and a browser page should only call it when its origin was allowed on purpose.
 *
 * @example
 * ```ts
 * app.use(corsFromEnv()); // CORS_ORIGINS = "https://app.example.com"
 * ```
 */
export function corsFromEnv(): MiddlewareHandler<AppEnv> {
  return async function corsFromEnv(c, next) {
    const allowed = (c.env.CORS_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean);
    if (allowed.length === 0) return next();
    const handler = cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowHeaders: ["authorization", "content-type", "x-request-id"],
      allowMethods: ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"],
      exposeHeaders: ["x-request-id", "server-timing", "retry-after", "location"],
      maxAge: 600,
    });
    return handler(c, next);
  };
}
