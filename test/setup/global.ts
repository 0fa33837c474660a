import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildAssets } from "../../dev/build-assets.ts";
import { migrateMysql } from "../../dev/migrate.ts";
import { startMariaDb } from "../../emulators/backends/mariadb.ts";
import { startRedis } from "../../emulators/backends/redis.ts";
import { startPlanetScaleEmulator } from "../../emulators/planetscale/server.ts";
import { startUpstashEmulator } from "../../emulators/upstash/server.ts";
import { startOrigin } from "../../fixtures/site/server.ts";
import { startFaultHarness } from "./faults.ts";

declare module "vitest" {
  interface ProvidedContext {
    workerBindings: Record<string, string>;
  }
}

const requireReal = process.env.CI === "true";
const log = (line: string) => console.log(`[test setup] ${line}`);

/**
 * Starts what the Worker talks to, once per run: a throwaway redis-server behind the Upstash-compatible
 * endpoint and a throwaway MariaDB behind the PlanetScale-compatible one. Missing servers fail the run
 * under CI; elsewhere the run continues on the fallbacks and says so loudly.
 */
export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = [];
  const bindings: Record<string, string> = { ENVIRONMENT: "development", API_TOKEN: "test-api-token" };
  // wrangler runs this as its build command; the Vitest plugin does not, and the Worker serves what it writes.
  await buildAssets();

  const redis = await startRedis({ requireReal, log });
  stops.push(() => redis.stop());
  const upstash = await startUpstashEmulator({ backend: redis, token: "test-upstash-token", port: 0 });
  stops.push(() => upstash.close());
  Object.assign(bindings, {
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: "test-upstash-token",
  });
  if (redis.kind === "embedded")
    warnLoudly(`Redis routes ran on the embedded fallback, not redis-server: ${redis.describe}`);

  const dataDir = await mkdtemp(join(tmpdir(), "eap-test-mariadb-"));
  stops.push(() => rm(dataDir, { recursive: true, force: true }));
  try {
    const mysql = await startMariaDb({ dataDir, log });
    stops.push(() => mysql.stop());
    const planetscale = await startPlanetScaleEmulator({
      mysqlUrl: mysql.url,
      username: "test",
      password: "test-sql-password",
      port: 0,
    });
    stops.push(() => planetscale.close());
    await migrateMysql(planetscale.url);
    bindings.DATABASE_URL = planetscale.url;
  } catch (error) {
    if (requireReal) throw error;
    warnLoudly(`SQL routes ran on D1 only; the PlanetScale path was NOT tested: ${(error as Error).message}`);
  }

  // The local website /fetch and /crawl are tested against (see fixtures/site/server.ts).
  const origin = await startOrigin();
  stops.push(() => origin.close());
  bindings.TEST_ORIGIN_URL = origin.url;

  // Backends of their own for test/worker/faults.test.ts to kill and pause (started on its first request).
  const faults = await startFaultHarness({ requireReal, log });
  stops.push(() => faults.close());
  bindings.FAULT_CONTROL_URL = faults.url;

  project.provide("workerBindings", bindings);
  return async function teardown() {
    for (const stop of stops.reverse()) await stop();
  };
}

function warnLoudly(message: string) {
  console.warn(`\n${"!".repeat(100)}\n!! ${message}\n${"!".repeat(100)}\n`);
}
