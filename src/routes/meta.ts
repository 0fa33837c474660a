import { Hono } from "hono/tiny";
import * as v from "valibot";
import type { AppEnv } from "../env.ts";
import { runHealthChecks } from "../lib/health.ts";
import { endpoint, jsonResponse } from "../lib/openapi.ts";
import { probes } from "../lib/probes.ts";
import { staticView } from "../middleware/html-view.ts";
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

/**
 * The index and /health. The API reference page, /docs, is a static asset (public/docs.html) that renders
 * /openapi.json with a pinned copy of Scalar served from this Worker, so it needs no other origin.
 */
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
    // Browsers get the landing page, which runs each pattern from a form; everyone else this index.
    staticView("/landing"),
    (c) => c.json({ name: "edge-async-patterns", docs: "/docs", patterns }, 200),
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
  );
