/** The Markdown report of one run: one table per pattern. The console's short table is in summary.ts. */
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
    `## 2. Fan-out: /crawl of 48 pages at 100 ms each, median of ${plan.runs}`,
    "",
    "Ideal = ceil(pages / concurrency) × delay. Level floor = the best a breadth-first crawl can do, since the " +
      "index (depth 0) must answer before its 47 links start.",
    "",
    table(
      [
        "concurrency",
        "elapsed ms",
        "ideal ms",
        "elapsed / ideal",
        "level floor ms",
        "pages/s",
        "max in flight",
      ],
      results.crawl.map((row) => [
        String(row.concurrency),
        fmt(row.elapsedMs, 0),
        fmt(row.idealMs, 0),
        fmt(row.ratio, 2),
        fmt(row.levelFloorMs, 0),
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
    table(
      ["upload KiB", "gzip KiB", "startup CPU ms", "startup window ms", "wrangler dev ready ms"],
      [
        [
          fmt(results.size.uploadKiB, 2),
          fmt(results.size.gzipKiB, 2),
          fmt(results.size.startupCpuMs, 1),
          fmt(results.size.startupWindowMs, 1),
          fmt(servers.workerReadyMs, 0),
        ],
      ],
    ),
    "",
    `Startup: ${results.size.startupMethod}, median of ${results.size.startupRuns}. ` +
      "wrangler dev ready: spawn to first answer on /health (bundling and workerd start included).",
    "",
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
