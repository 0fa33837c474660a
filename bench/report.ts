/** The Markdown report of one run: one table per pattern. The console's short table is in summary.ts. */

import { describeChange } from "./eval-cpu.ts";
import { fmt, markdownTable as table } from "./format.ts";
import type { Comparison, LoadResult } from "./load.ts";
import type { Results } from "./results.ts";

/**
 * The Markdown report: the machine, then one table per pattern, each ratio taken within this run.
 *
 * @example
 * ```ts
 * writeFileSync("bench/results/2025-01-01T00-00-00Z.md", toMarkdown(results));
 * ```
 */
export function toMarkdown(results: Results): string {
  const { machine, servers, plan } = results;
  const [e2e] = results.endToEnd;
  return [
    `# Bench, ${results.startedAt} (${results.mode} mode, ${fmt(results.seconds, 0)} s)`,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, ${machine.arch}, ` +
      `Node ${machine.node}; load average at start ${machine.loadAverage.join(" / ")}.`,
    `Servers: ${servers.redis}, ${servers.mysql}, wrangler ${results.size.wrangler}.`,
    "Absolute numbers drift with whatever else the machine runs; the ratios are taken within this run, each pair " +
      "measured back to back.",
    "",
    `## 1. Async vs sync: /timing, median of ${plan.runs}`,
    "",
    "Elapsed as the Worker measured it; ideal = one delay all at once, tasks × delay one after another.",
    "",
    table(
      ["mode", "tasks × delay", "elapsed ms", "ideal ms", "elapsed / ideal", "overhead ms", "client wall ms"],
      results.timing.map((row) => [
        row.mode,
        `${row.tasks} × ${row.delayMs} ms`,
        fmt(row.elapsedMs, 0),
        fmt(row.idealMs, 0),
        fmt(row.ratio, 2),
        `${fmt(row.overheadMs, 1)}${row.mode === "sequential" ? " / task" : ""}`,
        fmt(row.wallMs, 0),
      ]),
    ),
    "",
    `## 2. Fan-out: /crawl, median of ${plan.runs}`,
    "",
    "Ideal: the grid's ceil(pages / concurrency) × delay; for the skewed tree, the simulated best of a scheduler " +
      "keeping 6 slots busy (bench/crawl-sim.ts). Level floor = the best a level-by-level crawl can do. Ideal at " +
      "observed latencies = the same best, simulated with each page's latency as measured in that crawl (from " +
      "its first page's start): elapsed / that is the scheduler's own overhead, the machine's load taken out.",
    "",
    ...results.crawl
      .filter((row) => row.ideal.startsWith("simulated"))
      .map((row) => `- ${row.site}: ${row.ideal}`),
    "",
    table(
      [
        "site",
        "concurrency",
        "elapsed ms",
        "ideal ms",
        "elapsed / ideal",
        "level floor ms",
        "ideal at observed latencies ms",
        "elapsed / that",
        "pages/s",
        "max in flight",
      ],
      results.crawl.map((row) => [
        row.site,
        String(row.concurrency),
        fmt(row.elapsedMs, 0),
        fmt(row.idealMs, 0),
        fmt(row.ratio, 2),
        fmt(row.levelFloorMs, 0),
        fmt(row.observedIdealMs, 0),
        fmt(row.schedulingRatio, 2),
        fmt(row.pagesPerSecond, 1),
        String(row.maxInFlight),
      ]),
    ),
    "",
    "## 3. Upstash-compatible endpoint vs RESP",
    "",
    "One fixed request from wrk (autocannon without it) → endpoint → redis-server against `redis-benchmark` → " +
      `redis-server, no pipelining; ${plan.loadMs / 1000} s each after ${plan.warmupMs / 1000} s warm-up. ` +
      "Clients = connections. Ratio = direct req/s ÷ endpoint req/s (the endpoint reaches 1/ratio of direct), " +
      "the median of up to 3 back-to-back rounds.",
    "",
    comparisonTable(results.redis, "redis-benchmark"),
    "",
    "## 4. PlanetScale-compatible endpoint vs mysql2",
    "",
    "One fixed Execute request from wrk → endpoint → MariaDB against mysql2 (`query`, one connection per client) " +
      "→ MariaDB, as above.",
    "",
    comparisonTable(results.sql, "mysql2"),
    "",
    `## 5. End to end through wrangler dev (${e2e?.tool ?? "-"}, ${plan.connections} connections, ${plan.endToEndSeconds} s)`,
    "",
    table(
      ["route", "req/s", "p50 ms", "p99 ms", "errors"],
      results.endToEnd.map((row) => [
        `GET ${row.route}`,
        fmt(row.rps, 0),
        fmt(row.p50Ms, 2),
        fmt(row.p99Ms, 2),
        String(row.errors),
      ]),
    ),
    "",
    "## 6. Size and start",
    "",
    sizeSection(results),
    "",
  ].join("\n");
}

/** Our Worker against the one-route Hono hello world, built the same way and measured interleaved in this run. */
function sizeSection(results: Results): string {
  const { size } = results;
  const { hello, evalCpu } = size;
  const ratio = (ours: number, base: number) => (base > 0 ? `${fmt(ours / base, 2)}×` : "n/a");
  return [
    table(
      [
        "bundle",
        "raw KiB",
        "gzip KiB",
        "startup CPU ms",
        "startup busy samples",
        "startup window ms",
        "Node eval CPU ms",
      ],
      [["ours", size, evalCpu.oursCpuMs] as const, ["hello world", hello, evalCpu.helloCpuMs] as const]
        .map(([name, row, evalMs]) => [
          name,
          fmt(row.uploadKiB, 2),
          fmt(row.gzipKiB, 2),
          fmt(row.startupCpuMs, 1),
          fmt(row.startupBusySamples, 1),
          fmt(row.startupWindowMs, 1),
          fmt(evalMs, 1),
        ])
        .concat([
          [
            "ours ÷ hello",
            ratio(size.uploadKiB, hello.uploadKiB),
            ratio(size.gzipKiB, hello.gzipKiB),
            ratio(size.startupCpuMs, hello.startupCpuMs),
            ratio(size.startupBusySamples, hello.startupBusySamples),
            ratio(size.startupWindowMs, hello.startupWindowMs),
            ratio(evalCpu.oursCpuMs, evalCpu.helloCpuMs),
          ],
        ]),
    ),
    "",
    `Size: \`wrangler deploy --dry-run\`'s "Total Upload"; CI fails above ${size.budgetGzipKiB} KiB gzip ` +
      `(${size.gzipKiB <= size.budgetGzipKiB ? "within" : "OVER"} budget). ` +
      `Startup: ${size.startupMethod}, "Active" time, median of ${size.startupRuns} per bundle, ours and the ` +
      'hello world (bench/hello) interleaved; issue 12 asks for at most 2×. "Active" books a stall of the ' +
      "isolate (a busy machine) on the sample after it; busy samples (the median count of samples that caught " +
      "the isolate busy) do not. " +
      `Node eval CPU: \`process.cpuUsage()\` around \`import()\` of the built bundle, median of ${evalCpu.runs} ` +
      `fresh processes per bundle, interleaved; ours against the ${describeChange(evalCpu)}. ` +
      `wrangler dev ready: ${fmt(results.servers.workerReadyMs, 0)} ms from spawn to first answer on /health ` +
      "(bundling and workerd start included).",
  ].join("\n");
}

function comparisonTable(rows: Comparison[], direct: string): string {
  const heads = (path: string) => [`${path} req/s`, "p50 ms", "p99 ms"];
  const half = (result: LoadResult) => [fmt(result.rps, 0), fmt(result.p50Ms, 2), fmt(result.p99Ms, 2)];
  return table(
    ["operation", "clients", ...heads("endpoint"), ...heads(direct), "ratio", "errors"],
    rows.map((row) => [
      row.operation,
      String(row.concurrency),
      ...half(row.endpoint),
      ...half(row.direct),
      `${fmt(row.ratio, 1)}×`,
      String(row.endpoint.errors + row.direct.errors),
    ]),
  );
}
