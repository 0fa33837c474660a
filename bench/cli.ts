/**
 * `npm run bench [-- [--quick] [--out DIR]]`: how close each pattern gets to its limit, and how the HTTP endpoints
 * compare with what a user would pick instead. Starts everything it measures on free ports in a temp dir, writes
 * `<out>/<timestamp>[-quick].md` and `.json` (default out: bench/results), prints a short table, and stops
 * everything again, on Ctrl-C and on errors too. Exit 1 when any request failed, since its figures would lie.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Interrupted, StartupError, Supervisor } from "../emulators/supervise.ts";
import { benchCrawl } from "./crawl.ts";
import { benchCrawlJobs, type CrawlJobRow, crawlJobsMarkdown } from "./crawl-jobs.ts";
import { benchEndToEnd } from "./e2e.ts";
import { describeMachine } from "./machine.ts";
import { benchRedis } from "./redis.ts";
import { toMarkdown } from "./report.ts";
import type { Plan, Results } from "./results.ts";
import { benchSize } from "./size.ts";
import { benchSql } from "./sql.ts";
import { startBenchStack } from "./stack.ts";
import { listFailures, toConsoleTable } from "./summary.ts";
import { benchTiming } from "./timing.ts";

const USAGE = `Usage: npm run bench [-- [--quick] [--out DIR]]
  --quick    one run each and sub-second loads (under a minute; a smoke test, not a measurement)
  --out DIR  where to write <timestamp>.md and .json (default bench/results)`;

/** How long and how often each section measures. */
const PLANS: Record<Results["mode"], Plan> = {
  quick: {
    runs: 1,
    loadMs: 400,
    warmupMs: 150,
    endToEndSeconds: 1,
    connections: 16,
    startupRuns: 1,
    evalRuns: 3,
  },
  full: {
    runs: 5,
    loadMs: 3000,
    warmupMs: 500,
    endToEndSeconds: 10,
    connections: 16,
    startupRuns: 5,
    evalRuns: 20,
  },
};
const CLIENTS = [1, 16, 64];
const defaultOut = fileURLToPath(new URL("results", import.meta.url));

/**
 * Runs the bench with these command-line arguments and returns the exit code.
 *
 * @example
 * ```ts
 * process.exit(await runBench(["--quick", "--out", "/tmp/bench"]));
 * ```
 */
export async function runBench(argv: string[]): Promise<number> {
  let flags: { quick: boolean; out: string; help: boolean };
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        quick: { type: "boolean", default: false },
        out: { type: "string", default: defaultOut },
        help: { type: "boolean", default: false },
      },
    });
    flags = values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const mode = flags.quick ? "quick" : "full";
  const plan = PLANS[mode];
  const supervisor = new Supervisor();
  supervisor.trapSignals();
  const { signal } = supervisor;
  const started = performance.now();
  const startedAt = new Date();
  const tmpDir = mkdtempSync(join(tmpdir(), "eap-bench-"));
  supervisor.defer("the temp dir", async () => rmSync(tmpDir, { recursive: true, force: true }));
  try {
    const machine = describeMachine();
    // First, while nothing else of ours runs: the startup profile is CPU time and would feel the servers' load.
    progress(
      "size and start: wrangler deploy --dry-run, wrangler check startup, Node evaluating each bundle",
    );
    const size = await benchSize({ tmpDir, startupRuns: plan.startupRuns, evalRuns: plan.evalRuns, signal });
    progress("starting redis-server, MariaDB, the endpoints, the origin site and wrangler dev");
    const stack = await startBenchStack(supervisor, tmpDir);
    progress("async vs sync: /timing");
    const timing = await benchTiming(stack.workerUrl, {
      tasks: [2, 6, 20],
      delayMs: 100,
      runs: plan.runs,
      signal,
    });
    progress("fan-out: /crawl");
    const crawl = await benchCrawl(stack.workerUrl, stack.originUrl, {
      concurrency: [1, 3, 6],
      runs: plan.runs,
      signal,
    });
    progress("crawl jobs: one job over the 100 ms grid site");
    const crawlJobs = await benchCrawlJobs(stack.workerUrl, stack.originUrl, {
      pages: flags.quick ? 100 : 1000,
      budget: 50, // the stack's Worker keeps wrangler.toml's SUBREQUEST_BUDGET
      signal,
    });
    // Three rounds at most: each comparison already takes twice the load window.
    const load = {
      durationMs: plan.loadMs,
      warmupMs: plan.warmupMs,
      rounds: Math.min(plan.runs, 3),
      signal,
      tmpDir,
    };
    progress("Upstash-compatible endpoint (wrk) vs redis-benchmark");
    const redis = await benchRedis(stack, CLIENTS, load);
    progress("PlanetScale-compatible endpoint (wrk) vs mysql2");
    const sql = await benchSql(stack, CLIENTS, load);
    progress("end to end through wrangler dev");
    const endToEnd = await benchEndToEnd(stack.workerUrl, {
      connections: plan.connections,
      seconds: plan.endToEndSeconds,
      tmpDir,
      signal,
    });
    const results: Results & { crawlJobs: CrawlJobRow } = {
      startedAt: startedAt.toISOString(),
      mode,
      seconds: (performance.now() - started) / 1000,
      machine,
      servers: {
        redis: stack.redis,
        mysql: stack.mysql,
        redisUrl: stack.redisUrl,
        workerReadyMs: stack.workerReadyMs,
      },
      plan,
      timing,
      crawl,
      redis,
      sql,
      endToEnd,
      size,
      crawlJobs,
    };
    const written = writeResults(flags.out, results);
    console.log(
      `\n${toConsoleTable(results)}\n\nWritten: ${written.join(", ")} (${results.seconds.toFixed(0)} s)`,
    );
    const failures = listFailures(results);
    if (failures.length === 0) return 0;
    console.error(
      `\nSome requests failed, so these figures are not trustworthy:\n  ${failures.join("\n  ")}`,
    );
    return 1;
  } catch (error) {
    if (signal.reason instanceof Interrupted) return signal.reason.exitCode;
    const message =
      error instanceof StartupError ? error.message : error instanceof Error ? error.stack : error;
    console.error(`\nThe bench failed: ${String(message)}`);
    return 1;
  } finally {
    if (signal.aborted) console.log("Stopping… (Ctrl-C again to force)");
    await supervisor.stopAll((line) => console.error(line));
  }
}

function progress(what: string): void {
  console.log(`· ${what}`);
}

/** Writes the Markdown and JSON files; the name is the start time, safe on every file system. */
function writeResults(dir: string, results: Results & { crawlJobs: CrawlJobRow }): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  const base = join(dir, `${stamp}${results.mode === "quick" ? "-quick" : ""}`);
  writeFileSync(`${base}.md`, `${toMarkdown(results)}\n${crawlJobsMarkdown(results.crawlJobs)}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  return [`${base}.md`, `${base}.json`].map((file) => relative(process.cwd(), file) || file);
}

if (import.meta.main) {
  process.exit(await runBench(process.argv.slice(2)));
}
