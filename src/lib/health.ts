import type { Bindings } from "../env.ts";

/** One backend's state as /health reports it. */
export interface CheckResult {
  status: "ok" | "degraded" | "unconfigured";
  ms: number;
  /** Which backend answered, e.g. "upstash" or "d1". */
  backend?: string;
  message?: string;
}

/** A probe of one backend; it must settle within its own deadline. */
export type HealthCheck = (env: Bindings) => Promise<Omit<CheckResult, "ms">>;

/**
 * Runs every probe at once and reports each with its own time. A probe that throws is `degraded`,
 * never a failed /health request, so one bad backend cannot hide the state of the others.
 *
 * @example
 * ```ts
 * const { status, checks } = await runHealthChecks(env, { redis: checkRedis });
 * ```
 */
export async function runHealthChecks(env: Bindings, probes: Record<string, HealthCheck>) {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]) => [name, await timeProbe(env, probe)] as const),
  );
  const checks = Object.fromEntries(entries);
  const ok = entries.every(([, check]) => check.status === "ok");
  return { status: ok ? ("ok" as const) : ("degraded" as const), checks };
}

async function timeProbe(env: Bindings, probe: HealthCheck): Promise<CheckResult> {
  const started = performance.now();
  const result = await probe(env).catch((error: unknown) => ({
    status: "degraded" as const,
    message: error instanceof Error ? error.message : String(error),
  }));
  return { ...result, ms: Math.round(performance.now() - started) };
}
