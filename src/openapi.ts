import { app } from "./app.ts";
import { buildOpenApi } from "./lib/openapi-document.ts";

/**
 * The OpenAPI 3.1 document of every route `app` serves. Not part of the Worker: dev/build-assets.ts writes it to
 * public/openapi.json at build time, and a test checks that the served document is exactly this one.
 *
 * @example
 * ```ts
 * const doc = openApiDocument(); // { openapi: "3.1.0", paths: { "/redis/hashes/{key}": { ... } }, ... }
 * ```
 */
export function openApiDocument() {
  return buildOpenApi(app.routes, {
    title: "edge-async-patterns",
    version: "0.1.0",
    description:
      "Python asyncio tutorial patterns (aioredis, aiomysql, aiohttp, async vs sync) rebuilt as Cloudflare Workers " +
      "edge functions. Every error has the shape `{error: {code, message, requestId}}`.",
  });
}
