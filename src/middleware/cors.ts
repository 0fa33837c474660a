import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env.ts";
import { byValue } from "../lib/instances.ts";

// One Hono cors handler per CORS_ORIGINS value, built on the first request that sees it; null when CORS is off.
const corsFor = byValue(function corsFor(raw: string | undefined): MiddlewareHandler | null {
  const allowed = (raw ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (allowed.length === 0) return null;
  return cors({
    origin: (origin) => (allowed.includes(origin) ? origin : null),
    allowHeaders: ["authorization", "content-type", "x-request-id"],
    allowMethods: ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"],
    exposeHeaders: ["x-request-id", "server-timing", "retry-after", "location"],
    maxAge: 600,
  });
});

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
    const handler = corsFor(c.env.CORS_ORIGINS);
    return handler ? handler(c, next) : next();
  };
}
