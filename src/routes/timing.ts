import { createFactory } from "hono/factory";
import { wrapTime } from "hono/timing";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env.ts";
import { runConcurrent, runSequential, type Step } from "../lib/delay.ts";
import { endpoint, errorResponses, jsonResponse, validate } from "../lib/openapi.ts";
import { htmlView } from "../middleware/html-view.ts";
import {
  DelayQuerySchema,
  DelaySchema,
  SyncSchema,
  TaskQuerySchema,
  TimingCompareSchema,
  type TimingRun,
  TimingRunSchema,
} from "../schemas/timing.ts";
import { timingComparePage, timingRunPage } from "../views/timing.ts";

const tags = ["Async vs sync"];
const runResponses = {
  200: jsonResponse(TimingRunSchema, "When each step started and ended"),
  ...errorResponses(400, 502, 503, 504),
};

function report(mode: TimingRun["mode"], tasks: number, ms: number, steps: Step[]): TimingRun {
  const elapsedMs = Math.max(0, ...steps.map((step) => step.endMs));
  const idealMs = mode === "sequential" ? tasks * ms : ms;
  return { mode, tasks, ms, elapsedMs, idealMs, steps };
}

const factory = createFactory<AppEnv>();

// /sequential and /concurrent differ only in how the steps are awaited.
function runRoute(mode: TimingRun["mode"], summary: string) {
  const run = mode === "sequential" ? runSequential : runConcurrent;
  return factory.createHandlers(
    endpoint({ tags, summary, rate: "fanout", responses: runResponses }),
    htmlView(timingRunPage),
    validate("query", TaskQuerySchema),
    async (c) => {
      const { tasks, ms } = c.req.valid("query");
      const steps = await wrapTime(c, "fetch", run(c.env, tasks, ms));
      return c.json(report(mode, tasks, ms, steps), 200);
    },
  );
}

/** Async vs sync: the tutorial's `def` vs `async def` routes, with waits that are real subrequests. */
export const timingRoutes = new Hono<AppEnv>()
  .get(
    "/sync",
    endpoint({
      tags,
      summary: "A handler that awaits nothing (FastAPI `def`)",
      responses: { 200: jsonResponse(SyncSchema, "Answered without any I/O") },
    }),
    (c) => c.json({ mode: "sync" as const, at: new Date().toISOString() }, 200),
  )
  .get(
    "/delay",
    endpoint({
      tags,
      summary: "The slow upstream: answers after `ms` milliseconds",
      responses: { 200: jsonResponse(DelaySchema, "Answered after the delay"), ...errorResponses(400) },
    }),
    validate("query", DelayQuerySchema),
    async (c) => {
      const { ms } = c.req.valid("query");
      await new Promise((resolve) => setTimeout(resolve, ms));
      return c.json({ ms }, 200);
    },
  )
  .get("/sequential", ...runRoute("sequential", "Awaits `tasks` upstream calls one after another"))
  .get("/concurrent", ...runRoute("concurrent", "Awaits `tasks` upstream calls all at once"))
  .get(
    "/compare",
    endpoint({
      tags,
      summary: "Runs sequential then concurrent and reports the speedup",
      description:
        "`sequential` and `concurrent` list each run's steps, timed from that run's own start, so both can be " +
        "drawn on one axis.",
      rate: "fanout",
      responses: {
        200: jsonResponse(TimingCompareSchema, "Both wall times, and each run's steps"),
        ...errorResponses(400, 502, 503, 504),
      },
    }),
    htmlView(timingComparePage),
    validate("query", TaskQuerySchema),
    async (c) => {
      const { tasks, ms } = c.req.valid("query");
      const sequential = await wrapTime(c, "fetch", runSequential(c.env, tasks, ms));
      const concurrent = await wrapTime(c, "fetch", runConcurrent(c.env, tasks, ms));
      const sequentialMs = report("sequential", tasks, ms, sequential).elapsedMs;
      const concurrentMs = report("concurrent", tasks, ms, concurrent).elapsedMs;
      const speedup = Math.round((sequentialMs / Math.max(1, concurrentMs)) * 100) / 100;
      return c.json({ tasks, ms, sequentialMs, concurrentMs, speedup, sequential, concurrent }, 200);
    },
  );
