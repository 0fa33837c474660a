/**
 * `npm run emulators`: only the backends and the Upstash- and PlanetScale-compatible endpoints (migrated and
 * seeded), for using them from another app. Prints the URLs and credentials; Ctrl-C stops everything.
 * Same settings as `npm run dev` (UPSTASH_PORT, PLANETSCALE_PORT, DATA_DIR, REDIS_URL, DATABASE_URL, DEV_SQL, CI).
 */
import { readStackOptions } from "../dev/options.ts";
import { startStack } from "../dev/stack.ts";
import { Interrupted, StartupError, Supervisor } from "../dev/supervise.ts";
import { renderTable, stackRows, stackVariables } from "../dev/table.ts";

/**
 * Runs the endpoints until Ctrl-C, then stops them and the servers behind them.
 *
 * @example
 * ```ts
 * process.exit(await runEmulators()); // 130 after Ctrl-C, 1 after a failed start
 * ```
 */
export async function runEmulators(): Promise<number> {
  const supervisor = new Supervisor();
  supervisor.trapSignals();
  try {
    const options = readStackOptions("npm run emulators");
    console.log("Starting the local backends and endpoints…");
    const stack = await startStack(options, supervisor, []);
    console.log(`\n${renderTable(stackRows(stack, options))}`);
    console.log(
      `\nPoint a client at them with:\n${stackVariables(stack)
        .map((line) => `  ${line}`)
        .join("\n")}`,
    );
    if (!stack.mysql) console.log("\nNo PlanetScale endpoint: no MySQL runs (see the MySQL row).");
    for (const note of options.notes) console.log(`Note: ${note}`);
    console.log("\nCtrl-C stops everything.");
    return (await supervisor.stopRequested).exitCode;
  } catch (error) {
    if (supervisor.signal.reason instanceof Interrupted) return supervisor.signal.reason.exitCode;
    const message =
      error instanceof StartupError ? error.message : String(error instanceof Error ? error.stack : error);
    console.error(`\n${message}`);
    return 1;
  } finally {
    if (supervisor.signal.aborted) console.log("Stopping… (Ctrl-C again to force)");
    await supervisor.stopAll((line) => console.error(line));
    if (supervisor.signal.aborted) console.log("Stopped.");
  }
}

if (import.meta.main) {
  process.exit(await runEmulators());
}
