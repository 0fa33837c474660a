import { describe, expect, it } from "vitest";
import { call, expectError } from "./support.ts";
import { newSite } from "./test-site.ts";

interface Run {
  mode: string;
  tasks: number;
  ms: number;
  elapsedMs: number;
  idealMs: number;
  steps: { i: number; startMs: number; endMs: number }[];
}

async function run(path: string): Promise<Run> {
  const response = await call(path);
  expect(response.status).toBe(200);
  return response.json();
}

describe("async vs sync", () => {
  it("answers /timing/sync without awaiting anything", async () => {
    const response = await call("/timing/sync");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ mode: "sync" });
  });

  it("answers /timing/delay after at least the requested time", async () => {
    const before = Date.now();
    const response = await call("/timing/delay?ms=50");
    expect(await response.json()).toEqual({ ms: 50 });
    expect(Date.now() - before).toBeGreaterThanOrEqual(50);
  });

  it("starts every concurrent step before any of them ends", async () => {
    const body = await run("/timing/concurrent?tasks=4&ms=100");
    expect(body).toMatchObject({ mode: "concurrent", tasks: 4, ms: 100, idealMs: 100 });
    expect(body.steps.map((step) => step.i)).toEqual([0, 1, 2, 3]);
    const lastStart = Math.max(...body.steps.map((step) => step.startMs));
    const firstEnd = Math.min(...body.steps.map((step) => step.endMs));
    // Overlap, read off the steps' own clock: every wait was in flight at the same moment.
    expect(lastStart).toBeLessThan(firstEnd);
    expect(body.elapsedMs).toBe(Math.max(...body.steps.map((step) => step.endMs)));
  });

  it("starts each sequential step only after the previous one ended", async () => {
    const body = await run("/timing/sequential?tasks=3&ms=50");
    expect(body).toMatchObject({ mode: "sequential", tasks: 3, idealMs: 150 });
    for (const [index, step] of body.steps.entries()) {
      expect(step.endMs - step.startMs).toBeGreaterThanOrEqual(50);
      const previous = body.steps[index - 1];
      if (previous) expect(step.startMs).toBeGreaterThanOrEqual(previous.endMs);
    }
  });

  it("reports both wall times and the speedup in /timing/compare", async () => {
    const response = await call("/timing/compare?tasks=3&ms=60");
    const body = (await response.json()) as Record<string, number>;
    expect(body).toMatchObject({ tasks: 3, ms: 60 });
    expect(body.sequentialMs).toBeGreaterThanOrEqual(180);
    expect(body.concurrentMs).toBeGreaterThanOrEqual(60);
    expect(body.speedup).toBeCloseTo((body.sequentialMs ?? 0) / (body.concurrentMs ?? 1), 1);
  });

  it("names the timing subrequests in Server-Timing", async () => {
    const response = await call("/timing/concurrent?tasks=1&ms=0");
    expect(response.headers.get("server-timing")).toMatch(/fetch;dur=[\d.]+.*total;dur=/);
  });

  it.each([
    ["/timing/delay?ms=10001", "ms"],
    ["/timing/delay?ms=-1", "ms"],
    ["/timing/sequential?tasks=0", "tasks"],
    ["/timing/concurrent?tasks=21", "tasks"],
    ["/timing/concurrent?ms=5001", "ms"],
    ["/timing/compare?tasks=abc", "tasks"],
    ["/timing/delay?ms=1.5", "ms"],
  ])("refuses %s with a 400 naming `%s`", async (path, field) => {
    const message = await expectError(await call(path), 400, "invalid_request");
    expect(message).toContain(`\`${field}\``);
  });

  // The step's deadline is its delay plus a 5 s grace period, so this test takes about 5 s.
  it("answers 504 when the delay upstream never answers, instead of hanging", async () => {
    const { url } = await newSite();
    const response = await call("/timing/concurrent?tasks=1&ms=0", {}, { DELAY_UPSTREAM_URL: `${url}/hang` });
    await expectError(response, 504, "backend_timeout");
  }, 15_000);

  it("answers 503 naming DELAY_UPSTREAM_URL when it is not a URL", async () => {
    const response = await call("/timing/sequential?tasks=1&ms=0", {}, { DELAY_UPSTREAM_URL: "nope" });
    expect(await expectError(response, 503, "backend_unavailable")).toContain("DELAY_UPSTREAM_URL");
  });

  it("reports an unreachable delay upstream as 503, not a stack trace", async () => {
    const response = await call(
      "/timing/concurrent?tasks=1&ms=0",
      {},
      { DELAY_UPSTREAM_URL: "http://127.0.0.1:9/" },
    );
    await expectError(response, 503, "backend_unavailable");
  });
});
