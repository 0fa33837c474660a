/**
 * The emulators' endpoints (emulators/stack.ts) plus what this project needs in them, shared by `npm run dev`
 * and `npm run emulators`: MySQL migrated, and a small seed in Redis and MySQL.
 */

import type { PortClaim } from "../emulators/ports.ts";
import type { Endpoints } from "../emulators/stack.ts";
import { startEndpoints, startupStep } from "../emulators/stack.ts";
import type { Supervisor } from "../emulators/supervise.ts";
import { migrateMysql } from "./migrate.ts";
import type { StackOptions } from "./options.ts";
import { seedMysql, seedRedis } from "./seed.ts";

/** What runs, where, and with which credentials. */
export type Stack = Endpoints;

/**
 * Starts the endpoints, then migrates and seeds them.
 *
 * @example
 * ```ts
 * const stack = await startStack(readStackOptions("npm run dev"), supervisor, []);
 * console.log(stack.upstashUrl, stack.mysql?.planetscaleUrl ?? stack.sqlFallback);
 * ```
 */
export async function startStack(
  options: StackOptions,
  supervisor: Supervisor,
  otherPorts: PortClaim[],
): Promise<Stack> {
  const stack = await startEndpoints(options, supervisor, otherPorts);
  await prepareStack(stack);
  return stack;
}

/**
 * Migrates MySQL and seeds both stores, through the endpoints, as the Worker will use them.
 *
 * @example
 * ```ts
 * await runEmulators(argv, { prepare: async (endpoints) => (await prepareStack(endpoints), []) });
 * ```
 */
export async function prepareStack(stack: Endpoints): Promise<void> {
  await startupStep("Seeding Redis", () => seedRedis(stack.upstashUrl, stack.token));
  const mysql = stack.mysql;
  if (!mysql) return;
  await startupStep("Migrating MySQL", () => migrateMysql(mysql.planetscaleUrl));
  await startupStep("Seeding MySQL", () => seedMysql(mysql.planetscaleUrl));
}
