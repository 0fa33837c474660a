import { describe, expect, it } from "vitest";
import { call } from "./support.ts";

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

describe("index, health and docs", () => {
  it("lists every pattern with a runnable example", async () => {
    const body = (await (await call("/")).json()) as { patterns: { path: string; example: string }[] };
    expect(body.patterns.map((pattern) => pattern.path)).toEqual(["/redis", "/sql", "/crawl", "/timing"]);
    for (const pattern of body.patterns) expect(pattern.example).toMatch(/^\//);
  });

  it("answers browsers with the landing page, whose forms run the patterns", async () => {
    const response = await call("/", { headers: { accept: "text/html" } });
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain('<form method="get" action="/timing/compare">');
  });

  it("reports each backend's check in /health, also as Server-Timing entries", async () => {
    const response = await call("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "ok",
      checks: { redis: { status: "ok" }, sql: { status: "ok" } },
    });
    expect(response.headers.get("server-timing")).toMatch(/redis;dur=.*sql;dur=|sql;dur=.*redis;dur=/);
  });

  it("answers 503 with the degraded check when a backend is down or not configured", async () => {
    const response = await call("/health", {}, { UPSTASH_REDIS_REST_URL: undefined });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: "degraded",
      checks: { redis: { status: "unconfigured" } },
    });
  });

  it("documents every route of the router in OpenAPI 3.1", async () => {
    const doc = (await (await call("/openapi.json")).json()) as OpenApiDocument;
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    const { default: app } = await import("../../src/index.ts");
    const served = app.routes
      .filter((route) => route.method !== "ALL" && route.path !== "/openapi.json")
      .map((route) => `${route.method} ${route.path}`);
    expect(new Set(documented)).toEqual(new Set(served));
  });

  it("serves exactly the document the routes' own schemas give (built at build time, not stale)", async () => {
    const response = await call("/openapi.json");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("x-request-id")).toBeTruthy();
    const { openApiDocument } = await import("../../src/openapi.ts");
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });
});
