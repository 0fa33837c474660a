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
    `\`@upstash/redis\` → endpoint → redis-server against ioredis → redis-server, one connection per client, ` +
      `${plan.loadMs / 1000} s each after ${plan.warmupMs / 1000} s warm-up. Ratio = RESP req/s ÷ endpoint req/s.`,
    "",
    comparisonTable(results.redis, "ioredis"),
    "",
    "## 4. PlanetScale-compatible endpoint vs mysql2",
    "",
    "`@planetscale/database` → endpoint → MariaDB against mysql2 (`query`) → MariaDB, as above.",
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
