import { Scalar } from "@scalar/hono-api-reference";
import { accepts } from "hono/accepts";
import { html } from "hono/html";
import { Hono } from "hono/tiny";
import * as v from "valibot";
import type { AppEnv } from "../env.ts";
import { runHealthChecks } from "../lib/health.ts";
import { endpoint, jsonResponse } from "../lib/openapi.ts";
import { probes } from "../lib/probes.ts";
import { limitRate } from "../middleware/rate-limit.ts";
import { HealthSchema, IndexSchema } from "../schemas/meta.ts";

const tags = ["Meta"];
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

/** The index, /health, and the API reference page. */
export const metaRoutes = new Hono<AppEnv>()
  .get(
    "/",
    endpoint({
      tags,
      summary: "The patterns, each with a ready-to-run example (HTML for browsers)",
      responses: {
        200: {
          description: "The index",
          content: { "application/json": { schema: IndexSchema }, "text/html": { schema: v.string() } },
        },
      },
    }),
    (c) => {
      const body = { name: "edge-async-patterns", docs: "/docs", patterns };
      const type = accepts(c, {
        header: "Accept",
        supports: ["application/json", "text/html"],
        default: "application/json",
      });
      if (type === "text/html") return c.html(renderIndex(body.patterns), 200);
      return c.json(body, 200);
    },
  )
  .get(
    "/health",
    endpoint({
      tags,
      summary: "Each backend's state; 503 when any is not ok",
      responses: {
        200: jsonResponse(HealthSchema, "All backends ok"),
        503: jsonResponse(HealthSchema, "At least one backend is not ok"),
      },
    }),
    async (c) => {
      const health = await runHealthChecks(c, probes);
      return c.json(health, health.status === "ok" ? 200 : 503);
    },
  )
  .get("/docs", limitRate("read"), Scalar({ url: "/openapi.json", pageTitle: "edge-async-patterns API" }));

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
