/**
 * `npm run dev`: Redis, MySQL (or D1), the Upstash- and PlanetScale-compatible endpoints, migrations, a seed, and
 * the Worker under `wrangler dev` on http://127.0.0.1:8787, offline. Ctrl-C stops all of it.
 * Settings (all optional): PORT, UPSTASH_PORT, PLANETSCALE_PORT, DATA_DIR, REDIS_URL, DATABASE_URL (mysql://),
 * DEV_SQL=d1, CI=true (no fallbacks). See README "Local development".
 */

import { Interrupted, StartupError, Supervisor } from "../emulators/supervise.ts";
import { endpointRows, endpointVariables, type Row, renderTable } from "../emulators/table.ts";
import { readStackOptions, type StackOptions } from "./options.ts";
import { seedThroughWorker } from "./seed.ts";
import { type Stack, startStack } from "./stack.ts";
import { tryCurls } from "./table.ts";
import { writeWorkerVars } from "./worker-vars.ts";
import { applyD1Migrations, startWranglerDev, type WranglerDev } from "./wrangler.ts";

/**
 * Runs the whole stack until a signal arrives or wrangler exits, then stops everything.
 *
 * @example
 * ```ts
 * process.exit(await runDev()); // 130 after Ctrl-C, 1 after a failed start
 * ```
 */
export async function runDev(): Promise<number> {
  const supervisor = new Supervisor();
  supervisor.trapSignals();
  try {
    const options = readStackOptions("npm run dev");
    console.log("Starting the local stack and the Worker…");
    const started = performance.now();
    const stack = await startStack(options, supervisor, [
      { port: options.workerPort, variable: "PORT", what: "the Worker" },
    ]);
    supervisor.signal.throwIfAborted();
    if (!stack.mysql)
      await applyD1Migrations(options.projectDir, options.wranglerStateDir, supervisor.signal);
    const workerVars = writeWorkerVars(options.projectDir, options.workerPort, {
      UPSTASH_REDIS_REST_URL: stack.upstashUrl,
      UPSTASH_REDIS_REST_TOKEN: stack.token,
      DATABASE_URL: stack.mysql?.planetscaleUrl ?? "",
    });
    supervisor.defer("the Worker's env file", workerVars.remove);
    const worker = await startWranglerDev({
      projectDir: options.projectDir,
      port: options.workerPort,
      envFile: workerVars.file,
      stateDir: options.wranglerStateDir,
      supervisor,
    });
    const apiToken = workerVars.vars.API_TOKEN || undefined;
    const seedNote = stack.mysql ? "" : await seedD1(worker.url, apiToken);
    printSummary(stack, options, worker, apiToken, seedNote, performance.now() - started);
    worker.forwardLogs((line) => console.log(line));
    return await untilStopped(supervisor, worker);
  } catch (error) {
    // After Ctrl-C a step may fail for that very reason (the terminal signals redis-server too): not worth a message.
    if (supervisor.signal.reason instanceof Interrupted) return supervisor.signal.reason.exitCode;
    console.error(`\n${describeFailure(error)}`);
    return 1;
  } finally {
    if (supervisor.signal.aborted) console.log("Stopping… (Ctrl-C again to force)");
    await supervisor.stopAll((line) => console.error(line));
    if (supervisor.signal.aborted) console.log("Stopped.");
  }
}

/** Waits for Ctrl-C (exit 128 + signal number) or for wrangler to end by itself (exit 1, with its last words). */
async function untilStopped(supervisor: Supervisor, worker: WranglerDev): Promise<number> {
  const ended = await Promise.race([supervisor.stopRequested, worker.exited]);
  if (ended instanceof Interrupted) return ended.exitCode;
  console.error(`\nwrangler dev stopped by itself (${ended}); stopping the rest. Its output is above.`);
  return 1;
}

/** D1 lives inside wrangler dev, so its seed goes through the Worker; a failed seed is a note, not a failed start. */
async function seedD1(workerUrl: string, apiToken: string | undefined): Promise<string> {
  try {
    const inserted = await seedThroughWorker(workerUrl, apiToken);
    return inserted ? `seeded ${inserted} cars into D1` : "";
  } catch (error) {
    return `seeding D1 failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function printSummary(
  stack: Stack,
  options: StackOptions,
  worker: WranglerDev,
  apiToken: string | undefined,
  seedNote: string,
  elapsedMs: number,
): void {
  const rows: Row[] = [
    {
      component: "Worker",
      where: worker.url,
      kind: "runtime",
      notes: `wrangler dev (workerd), pgid ${worker.pgid}, ENVIRONMENT=development`,
    },
    ...endpointRows(stack, options),
  ];
  const variables = endpointVariables(stack);
  if (!stack.mysql) {
    rows.push({
      component: "D1",
      where: options.wranglerStateDir,
      kind: "fallback",
      notes: "runs /sql inside wrangler dev",
    });
    variables.push("DATABASE_URL=  (empty: /sql runs on D1)");
  }
  const notes = [...options.notes, seedNote].filter(Boolean);
  console.log(`\nReady in ${(elapsedMs / 1000).toFixed(1)} s. Ctrl-C stops everything.\n`);
  console.log(renderTable(rows));
  console.log(`\nThe Worker's variables (.dev.vars, then these):\n${indent(variables)}`);
  console.log(`\nTry:\n${indent(tryCurls(worker.url, apiToken))}`);
  if (notes.length) console.log(`\nNotes:\n${indent(notes)}`);
  console.log("");
}

function indent(lines: string[]): string {
  return lines.map((line) => `  ${line}`).join("\n");
}

function describeFailure(error: unknown): string {
  if (error instanceof StartupError) return error.message;
  return `npm run dev failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

if (import.meta.main) {
  process.exit(await runDev());
}
