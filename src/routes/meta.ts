import { createRoute, z } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { html } from "hono/html";
import { runHealthChecks } from "../lib/health.ts";
import { probes } from "../lib/probes.ts";
import { createRouter } from "../lib/router.ts";

const patterns = [
  { name: "Redis hashes", path: "/redis", example: "/redis/hashes/car" },
  { name: "SQL", path: "/sql", example: "/sql/cars?limit=5" },
  {
    name: "Fan-out fetch and crawler",
    path: "/crawl",
    example: "/crawl?url=https://example.com/&maxPages=5",
  },
  { name: "Async vs sync", path: "/timing", example: "/timing/compare?tasks=5&ms=200" },
];

const indexRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["Meta"],
  summary: "The patterns, each with a ready-to-run example (HTML for browsers)",
  responses: {
    200: {
      description: "The index",
      content: {
        "application/json": {
          schema: z.object({
            name: z.string(),
            docs: z.string(),
            patterns: z.array(z.object({ name: z.string(), path: z.string(), example: z.string() })),
          }),
        },
        "text/html": { schema: z.string() },
      },
    },
  },
});

const CheckSchema = z.object({
  status: z.enum(["ok", "degraded", "unconfigured"]),
  ms: z.number(),
  backend: z.string().optional(),
  message: z.string().optional(),
});
const HealthSchema = z
  .object({ status: z.enum(["ok", "degraded"]), checks: z.record(z.string(), CheckSchema) })
  .openapi("Health");
const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["Meta"],
  summary: "Each backend's state; 503 when any is not ok",
  responses: {
    200: { description: "All backends ok", content: { "application/json": { schema: HealthSchema } } },
    503: {
      description: "At least one backend is not ok",
      content: { "application/json": { schema: HealthSchema } },
    },
  },
});

/** The index, /health, and the API reference generated from the same schemas that validate requests. */
export const metaRoutes = createRouter()
  .openapi(indexRoute, (c) => {
    const body = { name: "edge-async-patterns", docs: "/docs", patterns };
    if (c.req.header("accept")?.includes("text/html")) return c.html(renderIndex(body.patterns), 200);
    return c.json(body, 200);
  })
  .openapi(healthRoute, async (c) => {
    const health = await runHealthChecks(c, probes);
    return c.json(health, health.status === "ok" ? 200 : 503);
  })
  .get("/docs", Scalar({ url: "/openapi.json", pageTitle: "edge-async-patterns API" }));

function renderIndex(list: typeof patterns) {
  return html`<!doctype html>
    <html lang="en">
      <head><meta charset="utf-8" /><title>edge-async-patterns</title></head>
      <body>
        <h1>edge-async-patterns</h1>
        <p>Python asyncio tutorial patterns rebuilt for Cloudflare Workers. <a href="/docs">API reference</a></p>
        <ul>
          ${list.map((p) => html`<li>${p.name}: <a href="${p.example}">${p.example}</a></li>`)}
        </ul>
      </body>
    </html>`;
}
