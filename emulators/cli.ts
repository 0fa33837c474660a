/**
 * `edge-emulators` (and `npm run emulators` in this project): the backends and the Upstash- and
 * PlanetScale-compatible endpoints, for using them from any app. Prints the URLs and credentials; Ctrl-C stops
 * everything. `--help` lists the settings.
 */
import { readEndpointOptions, USAGE } from "./options.ts";
import { type Endpoints, startEndpoints } from "./stack.ts";
import { Interrupted, StartupError, Supervisor } from "./supervise.ts";
import { endpointRows, endpointVariables, renderTable } from "./table.ts";

/**
 * What a host project adds once the endpoints answer (migrations, a seed); its lines are printed as notes.
 * @example const prepare: Prepare = async (endpoints) => [`seeded ${await seed(endpoints.upstashUrl)} keys`];
 */
export type Prepare = (endpoints: Endpoints) => Promise<string[]>;

/**
 * Runs the endpoints until Ctrl-C, then stops them and the servers behind them.
 *
 * @example
 * ```ts
 * process.exit(await runEmulators(process.argv.slice(2))); // 130 after Ctrl-C, 1 after a failed start
 * ```
 */
export async function runEmulators(
  argv: string[],
  { command = "edge-emulators", prepare }: { command?: string; prepare?: Prepare } = {},
): Promise<number> {
  const supervisor = new Supervisor();
  try {
    const options = readEndpointOptions(command, argv);
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    supervisor.trapSignals();
    console.log("Starting the local backends and endpoints…");
    const endpoints = await startEndpoints(options, supervisor);
    const notes = [...options.notes, ...(prepare ? await prepare(endpoints) : [])];
    console.log(`\n${renderTable(endpointRows(endpoints, options))}`);
    console.log(`\nPoint a client at them with:\n${indent(endpointVariables(endpoints))}`);
    if (!endpoints.mysql) console.log("\nNo PlanetScale endpoint: no MySQL runs (see the MySQL row).");
    for (const note of notes) console.log(`Note: ${note}`);
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

function indent(lines: string[]): string {
  return lines.map((line) => `  ${line}`).join("\n");
}

if (import.meta.main) {
  process.exit(await runEmulators(process.argv.slice(2)));
}
