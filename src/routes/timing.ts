import { createRoute, z } from "@hono/zod-openapi";
import { wrapTime } from "hono/timing";
import { runConcurrent, runSequential, type Step } from "../lib/delay.ts";
import { errorResponses, jsonResponse } from "../lib/openapi.ts";
import { createRouter } from "../lib/router.ts";

const tags = ["Async vs sync"];
const TaskQuery = z.object({
  tasks: z.coerce.number().int().min(1).max(20).default(2).openapi({ example: 2 }),
  ms: z.coerce.number().int().min(0).max(5000).default(1000).openapi({ example: 1000 }),
});
const StepSchema = z.object({ i: z.number().int(), startMs: z.number(), endMs: z.number() });
const RunSchema = z
  .object({
    mode: z.enum(["sequential", "concurrent"]),
    tasks: z.number().int(),
    ms: z.number().int(),
    elapsedMs: z.number(),
    idealMs: z.number(),
    steps: z.array(StepSchema),
  })
  .openapi("TimingRun");

const syncRoute = createRoute({
  method: "get",
  path: "/sync",
  tags,
  summary: "A handler that awaits nothing (FastAPI `def`)",
  responses: {
    200: jsonResponse(z.object({ mode: z.literal("sync"), at: z.string() }), "Answered without any I/O"),
  },
});

const delayRoute = createRoute({
  method: "get",
  path: "/delay",
  tags,
  summary: "The slow upstream: answers after `ms` milliseconds",
  request: { query: z.object({ ms: z.coerce.number().int().min(0).max(10_000).default(1000) }) },
  responses: {
    200: jsonResponse(z.object({ ms: z.number().int() }), "Answered after the delay"),
    ...errorResponses(400),
  },
});

const runResponses = {
  200: jsonResponse(RunSchema, "When each step started and ended"),
  ...errorResponses(400, 502, 503, 504),
};
function runRoute(path: "/sequential" | "/concurrent", summary: string) {
  return createRoute({
    method: "get",
    path,
    tags,
    summary,
    request: { query: TaskQuery },
    responses: runResponses,
  });
}
const sequentialRoute = runRoute("/sequential", "Awaits `tasks` upstream calls one after another");
const concurrentRoute = runRoute("/concurrent", "Awaits `tasks` upstream calls all at once");

const compareRoute = createRoute({
  method: "get",
  path: "/compare",
  tags,
  summary: "Runs sequential then concurrent and reports the speedup",
  request: { query: TaskQuery },
  responses: {
    200: jsonResponse(
      z.object({
        tasks: z.number().int(),
        ms: z.number().int(),
        sequentialMs: z.number(),
        concurrentMs: z.number(),
        speedup: z.number(),
      }),
      "Both wall times",
    ),
    ...errorResponses(400, 502, 503, 504),
  },
});

function report(mode: "sequential" | "concurrent", tasks: number, ms: number, steps: Step[]) {
  const elapsedMs = Math.max(0, ...steps.map((step) => step.endMs));
  const idealMs = mode === "sequential" ? tasks * ms : ms;
  return { mode, tasks, ms, elapsedMs, idealMs, steps };
}

/** Async vs sync: the tutorial's `def` vs `async def` routes, with waits that are real subrequests. */
export const timingRoutes = createRouter()
  .openapi(syncRoute, (c) => c.json({ mode: "sync" as const, at: new Date().toISOString() }, 200))
  .openapi(delayRoute, async (c) => {
    const { ms } = c.req.valid("query");
    await new Promise((resolve) => setTimeout(resolve, ms));
    return c.json({ ms }, 200);
  })
  .openapi(sequentialRoute, async (c) => {
    const { tasks, ms } = c.req.valid("query");
    const steps = await wrapTime(c, "fetch", runSequential(c.env, tasks, ms));
    return c.json(report("sequential", tasks, ms, steps), 200);
  })
  .openapi(concurrentRoute, async (c) => {
    const { tasks, ms } = c.req.valid("query");
    const steps = await wrapTime(c, "fetch", runConcurrent(c.env, tasks, ms));
    return c.json(report("concurrent", tasks, ms, steps), 200);
  })
  .openapi(compareRoute, async (c) => {
    const { tasks, ms } = c.req.valid("query");
    const sequential = report(
      "sequential",
      tasks,
      ms,
      await wrapTime(c, "fetch", runSequential(c.env, tasks, ms)),
    );
    const concurrent = report(
      "concurrent",
      tasks,
      ms,
      await wrapTime(c, "fetch", runConcurrent(c.env, tasks, ms)),
    );
    const speedup = Math.round((sequential.elapsedMs / Math.max(1, concurrent.elapsedMs)) * 100) / 100;
    return c.json(
      { tasks, ms, sequentialMs: sequential.elapsedMs, concurrentMs: concurrent.elapsedMs, speedup },
      200,
    );
  });
