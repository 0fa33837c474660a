import type { Bindings } from "../env.ts";
import { ApiError } from "./errors.ts";
import { isHttpUrl } from "./instances.ts";

/** How long past the requested delay the upstream may take before the step answers 504. */
const UPSTREAM_GRACE_MS = 5_000;

/** When one awaited step ran, in ms since the start of the request that awaited it. */
export interface Step {
  i: number;
  startMs: number;
  endMs: number;
}

/**
 * Waits `ms` on the slow upstream: `DELAY_UPSTREAM_URL` when set, else this Worker's own `/timing/delay`
 * through the `SELF` service binding. A real subrequest, not a timer, because production clocks stand
 * still during computation and only I/O makes the wait visible to `performance.now()`.
 *
 * @example
 * ```ts
 * await waitOnUpstream(c.env, 200);
 * ```
 */
export async function waitOnUpstream(env: Bindings, ms: number): Promise<void> {
  // The upstream gets its delay plus a grace period to answer and send its small body, never forever.
  const signal = AbortSignal.timeout(ms + UPSTREAM_GRACE_MS);
  try {
    const response = await callUpstream(env, ms, signal);
    // Reading the body releases the connection slot; a leftover body would count against the 6-connection limit.
    await response.arrayBuffer();
    if (!response.ok) {
      throw new ApiError("backend_error", `The delay upstream answered HTTP ${response.status}.`);
    }
  } catch (error) {
    throw upstreamError(error, ms);
  }
}

function upstreamError(error: unknown, ms: number): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new ApiError(
      "backend_timeout",
      `The delay upstream did not answer within ${ms + UPSTREAM_GRACE_MS} ms.`,
      {
        cause: error,
      },
    );
  }
  return new ApiError("backend_unavailable", "The delay upstream is unreachable; check DELAY_UPSTREAM_URL.", {
    cause: error,
  });
}

async function callUpstream(env: Bindings, ms: number, signal: AbortSignal): Promise<Response> {
  if (!env.DELAY_UPSTREAM_URL)
    return env.SELF.fetch(`https://self.internal/timing/delay?ms=${ms}`, { signal });
  if (!isHttpUrl(env.DELAY_UPSTREAM_URL)) {
    throw new ApiError(
      "backend_unavailable",
      "DELAY_UPSTREAM_URL must be an http(s) URL (or empty to use SELF).",
    );
  }
  const url = new URL(env.DELAY_UPSTREAM_URL);
  url.searchParams.set("ms", String(ms));
  return fetch(url, { signal });
}

/**
 * Runs `tasks` upstream waits one after another, recording when each ran.
 *
 * @example
 * ```ts
 * const steps = await runSequential(c.env, 2, 1000); // about 2000 ms
 * ```
 */
export async function runSequential(env: Bindings, tasks: number, ms: number): Promise<Step[]> {
  const started = performance.now();
  const steps: Step[] = [];
  for (let i = 0; i < tasks; i++) {
    steps.push(await timeStep(env, i, ms, started));
  }
  return steps;
}

/**
 * Starts all `tasks` upstream waits at once and awaits them together, recording when each ran.
 *
 * @example
 * ```ts
 * const steps = await runConcurrent(c.env, 2, 1000); // about 1000 ms
 * ```
 */
export function runConcurrent(env: Bindings, tasks: number, ms: number): Promise<Step[]> {
  const started = performance.now();
  return Promise.all(Array.from({ length: tasks }, (_, i) => timeStep(env, i, ms, started)));
}

async function timeStep(env: Bindings, i: number, ms: number, started: number): Promise<Step> {
  const startMs = Math.round(performance.now() - started);
  await waitOnUpstream(env, ms);
  return { i, startMs, endMs: Math.round(performance.now() - started) };
}
