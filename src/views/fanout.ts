import { html } from "hono/html";
import type { CrawlReport } from "../schemas/crawl.ts";
import type { FetchReport } from "../schemas/fetch.ts";
import type { RedisFanout } from "../schemas/redis.ts";
import type { SqlFanout } from "../schemas/sql.ts";
import { legend, outcomeOf, page, table } from "./page.ts";
import { type Bar, waterfallSvg } from "./waterfall.ts";

/** An entry's failure in /fetch, /crawl and the backend fan-outs. */
interface Failure {
  code: string;
  message: string;
}

/** One database's entry of /redis/fanout/{key} or /sql/fanout. */
interface BackendEntry {
  name: string;
  ok: boolean;
  ms: number;
  error?: Failure;
}

function failureText(error?: Failure, status?: number): string {
  if (error) return `${error.code}: ${error.message}`;
  return status === undefined ? "" : `HTTP ${status}`;
}

/** A crawled URL shown relative to the start URL's origin, which every page of a crawl shares. */
function pathOf(url: string, start: string): string {
  const origin = URL.parse(start)?.origin;
  return origin && url.startsWith(origin) ? url.slice(origin.length) || "/" : url;
}

/**
 * The crawl as a waterfall of its pages (one bar each, coloured by outcome) and a table with titles and links.
 *
 * @example
 * ```ts
 * .get("/path", endpoint(spec), htmlView(crawlPage), handler); // the handler's JSON becomes this page
 * ```
 */
export function crawlPage(report: CrawlReport, url?: string) {
  const bars: Bar[] = report.pages.map((entry) => ({
    label: pathOf(entry.url, report.start),
    startMs: entry.startMs,
    endMs: entry.endMs,
    outcome: outcomeOf(entry.error, entry.status),
    note: entry.error ? failureText(entry.error) : `${entry.status ?? ""} ${entry.title ?? ""}`.trim(),
  }));
  const { fetched, failed, skippedByRobots, maxInFlight } = report.stats;
  return page({
    title: `Crawl of ${report.start}`,
    url,
    body: html`<p>${report.pages.length} pages in <strong>${report.elapsedMs} ms</strong>: ${fetched} fetched,
${failed} failed, ${skippedByRobots} skipped by robots.txt, at most ${maxInFlight} in flight at once.</p>
${legend}
${waterfallSvg("Crawl", bars)}
${table(
  "Pages in breadth-first order",
  ["url", "depth", "status", "title", "links", "start (ms)", "end (ms)", "error"],
  report.pages.map((entry) => [
    entry.url,
    entry.depth,
    entry.status ?? "",
    entry.title ?? "",
    entry.links,
    entry.startMs,
    entry.endMs,
    failureText(entry.error),
  ]),
)}`,
  });
}

/**
 * POST /fetch's results as a waterfall: how the fan-out overlapped the URLs.
 *
 * @example
 * ```ts
 * .get("/path", endpoint(spec), htmlView(fetchPage), handler); // the handler's JSON becomes this page
 * ```
 */
export function fetchPage(report: FetchReport, url?: string) {
  const bars: Bar[] = report.results.map((result) => ({
    label: result.url,
    startMs: result.startMs,
    endMs: result.endMs,
    outcome: outcomeOf(result.error, result.status, result.ok),
    note: failureText(result.error, result.status),
  }));
  return page({
    title: `Fetched ${report.results.length} URLs`,
    url,
    body: html`<p>All at once in <strong>${report.elapsedMs} ms</strong>; one after another they would take
${report.sumMs} ms (${report.speedup}×), at most ${report.maxInFlight} in flight.</p>
${legend}
${waterfallSvg("Fetch", bars)}
${table(
  "Results in input order",
  ["url", "status", "bytes", "start (ms)", "end (ms)", "error"],
  report.results.map((result) => [
    result.url,
    result.status ?? "",
    result.bytes ?? "",
    result.startMs,
    result.endMs,
    failureText(result.error),
  ]),
)}`,
  });
}

// The backends are queried all at once, so each bar starts at 0 and lasts its `ms`.
function backendBars(entries: BackendEntry[]): Bar[] {
  return entries.map((entry) => ({
    label: entry.name,
    startMs: 0,
    endMs: entry.ms,
    outcome: outcomeOf(entry.error, undefined, entry.ok),
    note: failureText(entry.error),
  }));
}

function fanoutSummary(elapsedMs: number, sumMs: number, count: number) {
  return html`<p>${count} database${count === 1 ? "" : "s"} at once in <strong>${elapsedMs} ms</strong>; one after another they would
take ${sumMs} ms.</p>`;
}

/**
 * /redis/fanout/{key}: the same HGETALL on every Redis database at once.
 *
 * @example
 * ```ts
 * .get("/path", endpoint(spec), htmlView(redisFanoutPage), handler); // the handler's JSON becomes this page
 * ```
 */
export function redisFanoutPage(result: RedisFanout, url?: string) {
  return page({
    title: `Hash "${result.key}" from every Redis`,
    url,
    body: html`${fanoutSummary(result.elapsedMs, result.sumMs, result.instances.length)}
${legend}
${waterfallSvg("Redis fan-out", backendBars(result.instances))}
${table(
  "One row per database",
  ["database", "ms", "fields", "error"],
  result.instances.map((entry) => [
    entry.name,
    entry.ms,
    entry.fields ? JSON.stringify(entry.fields) : "",
    failureText(entry.error),
  ]),
)}`,
  });
}

/**
 * /sql/fanout: the stats query on every SQL database at once.
 *
 * @example
 * ```ts
 * .get("/path", endpoint(spec), htmlView(sqlFanoutPage), handler); // the handler's JSON becomes this page
 * ```
 */
export function sqlFanoutPage(result: SqlFanout, url?: string) {
  return page({
    title: "Car stats from every SQL database",
    url,
    body: html`${fanoutSummary(result.elapsedMs, result.sumMs, result.databases.length)}
${legend}
${waterfallSvg("SQL fan-out", backendBars(result.databases))}
${table(
  "One row per database",
  ["database", "ms", "cars", "error"],
  result.databases.map((entry) => [
    entry.name,
    entry.ms,
    entry.result?.total ?? "",
    failureText(entry.error),
  ]),
)}`,
  });
}
