import type { Fanout } from "../lib/fanout/engine.ts";
import { type FailureCode, failure } from "../lib/fanout/failure.ts";
import { loadRobots, type RobotsRules } from "../lib/fanout/robots.ts";
import { guardHop } from "../lib/fanout/target-guard.ts";
import type { JobStore } from "./store.ts";

// RFC 9309 (2.5) lets a crawler stop parsing after 500 KiB; keeping no more also keeps the row small.
const ROBOTS_BYTES = 500 * 1024;

/**
 * The rules a job obeys, read once per job: the first invocation fetches robots.txt through the job's fan-out
 * (it counts against that invocation's budget, redirect hops guarded) and stores the answer; later invocations
 * replay the stored answer through the same parser instead of fetching it again.
 *
 * @example
 * ```ts
 * const robots = await jobRobots(store, fanout, new URL(job.url), job.production);
 * ```
 */
export async function jobRobots(
  store: JobStore,
  fanout: Fanout,
  start: URL,
  production: boolean,
): Promise<RobotsRules> {
  const cached = store.robots();
  if (cached) {
    return loadRobots(start, async (url) => ({
      url,
      redirects: 0,
      ...(cached.status === null ? {} : { status: cached.status }),
      ...(cached.body ? { body: new Uint8Array(cached.body) } : {}),
      ...(cached.errorCode ? { error: failure(cached.errorCode as FailureCode, "Replayed.") } : {}),
    }));
  }
  return loadRobots(start, async function fetchOnce(url) {
    const outcome = await fanout.fetch(url, { checkHop: guardHop({ production }) });
    const body = outcome.body?.slice(0, ROBOTS_BYTES);
    store.saveRobots({
      status: outcome.status ?? null,
      errorCode: outcome.error?.code ?? null,
      body: body ? body.buffer : null,
    });
    return { ...outcome, ...(body ? { body } : {}) };
  });
}
