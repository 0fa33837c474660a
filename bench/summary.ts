/** The console's view of a run: one line per figure with its ratio, and the failures that void a run. */
import { describeChange } from "./eval-cpu.ts";
import { alignColumns, fmt, signed } from "./format.ts";
import type { Results } from "./results.ts";

/**
 * The short console table: one line per figure, with the ratio that matters for it.
 *
 * @example
 * ```ts
 * console.log(toConsoleTable(results));
 * ```
 */
export function toConsoleTable(results: Results): string {
  const rows: string[][] = [["section", "case", "measured", "ratio"]];
  for (const row of results.timing) {
    const overhead = `${signed(row.overheadMs)} ms${row.mode === "sequential" ? "/task" : ""}`;
    const label = `${row.mode} ${row.tasks}×${row.delayMs} ms`;
    rows.push(["timing", label, `${fmt(row.elapsedMs, 0)} ms`, `${fmt(row.ratio, 2)} of ideal, ${overhead}`]);
  }
  for (const row of results.crawl) {
    const measured = `${fmt(row.elapsedMs, 0)} ms, ${fmt(row.pagesPerSecond, 0)} pages/s`;
    rows.push([
      "crawl",
      `${row.site}, concurrency ${row.concurrency}`,
      measured,
      `${fmt(row.ratio, 2)} of ideal`,
    ]);
  }
  const comparisons = [
    ...results.redis.map((row) => ({ section: "redis", row })),
    ...results.sql.map((row) => ({ section: "sql", row })),
  ];
  for (const { section, row } of comparisons) {
    const label = `${row.operation}, ${row.concurrency} client${row.concurrency === 1 ? "" : "s"}`;
    const measured = `${fmt(row.endpoint.rps, 0)} vs ${fmt(row.direct.rps, 0)} req/s`;
    rows.push([section, label, measured, `direct ${fmt(row.ratio, 1)}× the endpoint`]);
  }
  for (const row of results.endToEnd) {
    const measured = `${fmt(row.rps, 0)} req/s, p50 ${fmt(row.p50Ms, 1)} p99 ${fmt(row.p99Ms, 1)} ms`;
    rows.push(["e2e", `GET ${row.route}`, measured, `errors ${row.errors}`]);
  }
  const { size, servers } = results;
  const { hello, evalCpu } = size;
  const budget = `${size.gzipKiB <= size.budgetGzipKiB ? "within" : "OVER"} budget ${size.budgetGzipKiB} KiB gzip`;
  rows.push(["size", "bundle", `${fmt(size.uploadKiB, 0)} KiB, gzip ${fmt(size.gzipKiB, 1)} KiB`, budget]);
  const startup = `${fmt(size.startupCpuMs, 1)} vs hello ${fmt(hello.startupCpuMs, 1)} ms`;
  const startupRatio =
    size.startupRatio === null
      ? `no ratio (hello 0 ms), median of ${size.startupRuns}`
      : `${fmt(size.startupRatio, 2)}× hello, median of ${size.startupRuns}`;
  rows.push(["start", "startup CPU (wrangler check startup)", startup, startupRatio]);
  const busy = `${fmt(size.startupBusySamples, 1)} vs hello ${fmt(hello.startupBusySamples, 1)}`;
  const busyRatio =
    hello.startupBusySamples > 0
      ? `${fmt(size.startupBusySamples / hello.startupBusySamples, 2)}× hello`
      : "";
  rows.push(["start", "startup busy samples", busy, busyRatio]);
  const evalMeasured = `${fmt(evalCpu.oursCpuMs, 1)} vs hello ${fmt(evalCpu.helloCpuMs, 1)} ms`;
  const evalRatio = `${fmt(evalCpu.ratio, 2)}× hello, median of ${evalCpu.runs}; ${describeChange(evalCpu)}`;
  rows.push(["start", "Node eval CPU", evalMeasured, evalRatio]);
  rows.push(["start", "wrangler dev ready", `${fmt(servers.workerReadyMs, 0)} ms`, ""]);
  return alignColumns(rows);
}

/**
 * Every failed request, one line per measurement that had any: a run with failures describes less work than its
 * figures claim, so the CLI exits 1 when this is not empty.
 *
 * @example
 * ```ts
 * const failures = listFailures(results); // ["GET /sql/cars/1: 3 errors"]
 * ```
 */
export function listFailures(results: Results): string[] {
  const endToEnd = results.endToEnd
    .filter((row) => row.errors > 0)
    .map((row) => `GET ${row.route}: ${row.errors} errors`);
  const load = [...results.redis, ...results.sql].flatMap((row) =>
    [
      { path: "endpoint", half: row.endpoint },
      { path: "direct", half: row.direct },
    ]
      .filter(({ half }) => half.errors > 0)
      .map(
        ({ path, half }) =>
          `${row.operation} × ${row.concurrency} (${path}): ${half.errors} errors (${half.firstError})`,
      ),
  );
  return [...endToEnd, ...load];
}
