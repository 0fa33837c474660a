import type { Context } from "hono";
import { wrapTime } from "hono/timing";
import type { AppEnv, Bindings } from "../env.ts";
import type { Check as CheckResult } from "../schemas/meta.ts";
import { ApiError } from "./errors.ts";

/** A probe of one backend; it must settle within its own deadline. */
export type HealthCheck = (env: Bindings) => Promise<Omit<CheckResult, "ms">>;

/** What a probe needs from a backend: its name, and one cheap round trip that throws `ApiError`s. */
interface Probed {
  backend: string;
  ping(): Promise<unknown>;
}

/**
 * A probe in three outcomes: `unconfigured` when `configure` throws (the message says what to set), `ok` when the
 * ping answers, `degraded` with the API's sentence for the failure otherwise.
 *
 * @example
 * ```ts
 * export const checkSql: HealthCheck = (env) => probe(() => carStore(env));
 * ```
 */
export async function probe(configure: () => Probed): Promise<Omit<CheckResult, "ms">> {
  let target: Probed;
  try {
    target = configure();
  } catch (error) {
    return { status: "unconfigured", message: safeMessage(error) };
  }
  try {
    await target.ping();
    return { status: "ok", backend: target.backend };
  } catch (error) {
    return { status: "degraded", backend: target.backend, message: safeMessage(error) };
  }
}

// Only our own sentences reach the client; anything else could carry internal detail.
function safeMessage(error: unknown): string {
  return error instanceof ApiError ? error.message : "The backend failed in an unexpected way; see the logs.";
}

/**
 * Runs every probe at once and reports each with its own time (also as a Server-Timing entry named after it).
 * A probe that throws is `degraded`, never a failed /health request, so one bad backend cannot hide the others.
 *
 * @example
 * ```ts
 * const { status, checks } = await runHealthChecks(c, { redis: checkRedis, sql: checkSql });
 * ```
 */
export async function runHealthChecks(c: Context<AppEnv>, probes: Record<string, HealthCheck>) {
  const entries = await Promise.all(
    Object.entries(probes).map(
      async ([name, check]) => [name, await wrapTime(c, name, timeProbe(c.env, check))] as const,
    ),
  );
  const checks = Object.fromEntries(entries);
  const ok = entries.every(([, check]) => check.status === "ok");
  return { status: ok ? ("ok" as const) : ("degraded" as const), checks };
}

async function timeProbe(env: Bindings, check: HealthCheck): Promise<CheckResult> {
  const started = performance.now();
  const result = await check(env).catch((error: unknown) => ({
    status: "degraded" as const,
    message: safeMessage(error),
  }));
  return { ...result, ms: Math.round(performance.now() - started) };
}
