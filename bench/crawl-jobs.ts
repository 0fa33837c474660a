/**
 * Crawl jobs: one job over the origin's grid site of 1 + `pages` pages, every page answering after 100 ms, 6 in
 * flight, against the 60 pages/s that 6 busy slots can do. The job runs in alarm invocations of at most
 * `SUBREQUEST_BUDGET` subrequests each; what each invocation adds over busy slots is the overhead reported.
 *
 * Standalone, with a budget of its choosing (it starts the origin and `wrangler dev` itself):
 *   node bench/crawl-jobs.ts [--pages 1000] [--budget 50]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startWranglerDev } from "../dev/wrangler.ts";
import { freePort } from "../emulators/backends/host.ts";
import { Supervisor } from "../emulators/supervise.ts";
import { startOrigin } from "../fixtures/site/server.ts";
import { benchCrawl } from "./crawl.ts";
import { getJson } from "./net.ts";

const DELAY_MS = 100;
const SLOTS = 6;

/** What one job measured. */
export interface CrawlJobRow {
  pages: number;
  delayMs: number;
  concurrency: number;
  /** The Worker's SUBREQUEST_BUDGET: subrequests per invocation. */
  budget: number;
  /** From the job's first batch to its end, as the job measured it. */
  elapsedMs: number;
  pagesPerSecond: number;
  /** pagesPerSecond / 60 (6 slots × 10 pages/s); target ≥ 0.8. */
  ratio: number;
  invocations: number;
  /** (elapsed − ceil(pages / 6) × delay) / invocations: what each invocation adds over busy slots. */
  overheadPerInvocationMs: number;
  /** Time with no page in flight at all (between invocations: the alarm, its start-up), per invocation. */
  idlePerInvocationMs: number;
  /** A page's mean time in its slot; above `delayMs` by the local machine's own latency. */
  meanPageMs: number;
  /** Σ page time / (6 × elapsed): how busy the slots were, whatever the machine's latency. */
  slotUse: number;
  subrequests: number;
  rowsRead: number;
  rowsWritten: number;
  /** The job's SQLite database once it has finished: what is kept for 7 days. */
  storedBytes: number;
}

interface Job {
  id: string;
  status: string;
  elapsedMs: number;
  counts: { fetched: number; failed: number };
  usage: {
    invocations: number;
    subrequests: number;
    rowsRead: number;
    rowsWritten: number;
    storedBytes: number;
  };
}

/**
 * Runs one job of 1 + `pages` pages and reads its figures; fails when a page is missing or failed, since the
 * rate would then describe a smaller crawl.
 *
 * @example
 * ```ts
 * const row = await benchCrawlJobs(stack.workerUrl, stack.originUrl, { pages: 1000, budget: 50, signal });
 * ```
 */
export async function benchCrawlJobs(
  workerUrl: string,
  originUrl: string,
  options: { pages: number; budget: number; signal: AbortSignal },
): Promise<CrawlJobRow> {
  const total = options.pages + 1;
  const response = await fetch(`${workerUrl}/crawl/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      url: `${originUrl}/grid/${total}/${DELAY_MS}/`,
      maxPages: total,
      maxDepth: 1,
      concurrency: SLOTS,
      source: "links",
    }),
    signal: options.signal,
  });
  if (response.status !== 202)
    throw new Error(`POST /crawl/jobs answered ${response.status}: ${await response.text()}`);
  const { id } = (await response.json()) as Job;
  let job = await getJson<Job>(`${workerUrl}/crawl/jobs/${id}`, options.signal);
  while (job.status === "queued" || job.status === "running") {
    await delay(200, undefined, { signal: options.signal });
    job = await getJson<Job>(`${workerUrl}/crawl/jobs/${id}`, options.signal);
  }
  if (job.status !== "completed" || job.counts.fetched !== total) {
    throw new Error(
      `The job ended ${job.status} with ${JSON.stringify(job.counts)}; expected ${total} pages.`,
    );
  }
  const idealMs = Math.ceil(total / SLOTS) * DELAY_MS;
  const pages = await pagesOf(workerUrl, id, options.signal);
  const idleMs = idleTime(pages);
  const busyMs = pages.reduce((sum, page) => sum + (page.endMs - page.startMs), 0);
  const pagesPerSecond = total / (job.elapsedMs / 1000);
  return {
    pages: total,
    delayMs: DELAY_MS,
    concurrency: SLOTS,
    budget: options.budget,
    elapsedMs: job.elapsedMs,
    pagesPerSecond,
    ratio: pagesPerSecond / ((SLOTS * 1000) / DELAY_MS),
    invocations: job.usage.invocations,
    overheadPerInvocationMs: (job.elapsedMs - idealMs) / job.usage.invocations,
    idlePerInvocationMs: idleMs / job.usage.invocations,
    meanPageMs: busyMs / pages.length,
    slotUse: busyMs / (SLOTS * job.elapsedMs),
    ...pick(job.usage),
  };
}

// Every page's slot time, from the NDJSON results.
async function pagesOf(workerUrl: string, id: string, signal: AbortSignal) {
  const response = await fetch(`${workerUrl}/crawl/jobs/${id}/pages`, {
    headers: { accept: "application/x-ndjson" },
    signal,
  });
  const lines = (await response.text()).trim().split("\n");
  return lines.map((line) => JSON.parse(line) as { startMs: number; endMs: number });
}

// Sums the gaps in the union of the pages' [startMs, endMs] intervals: moments when no page was in flight.
function idleTime(pages: { startMs: number; endMs: number }[]): number {
  const sorted = [...pages].sort((a, b) => a.startMs - b.startMs);
  let idle = 0;
  let reach = sorted[0]?.endMs ?? 0;
  for (const page of sorted) {
    if (page.startMs > reach) idle += page.startMs - reach;
    reach = Math.max(reach, page.endMs);
  }
  return idle;
}

function pick({ subrequests, rowsRead, rowsWritten, storedBytes }: Job["usage"]) {
  return { subrequests, rowsRead, rowsWritten, storedBytes };
}

/**
 * The section of the bench report.
 *
 * @example
 * ```ts
 * markdown += crawlJobsMarkdown(row);
 * ```
 */
export function crawlJobsMarkdown(row: CrawlJobRow): string {
  const f = (n: number, digits = 0) => n.toFixed(digits);
  return [
    `## Crawl job: ${row.pages} pages at ${row.delayMs} ms each, ${row.concurrency} slots, ${row.budget} subrequests an invocation`,
    "",
    "| elapsed ms | pages/s | vs 60/s (target ≥ 0.8) | invocations | overhead ms / invocation | of it idle ms | mean page ms | slot use | subrequests | rows read | rows written | stored KiB |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${f(row.elapsedMs)} | ${f(row.pagesPerSecond, 1)} | ${f(row.ratio, 2)} | ${row.invocations} | ${f(row.overheadPerInvocationMs, 1)} | ${f(row.idlePerInvocationMs, 1)} | ${f(row.meanPageMs, 1)} | ${f(row.slotUse, 2)} | ${row.subrequests} | ${row.rowsRead} | ${row.rowsWritten} | ${f(row.storedBytes / 1024)} |`,
    "",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { pages: { type: "string", default: "1000" }, budget: { type: "string", default: "50" } },
  });
  const supervisor = new Supervisor();
  supervisor.trapSignals();
  const tmpDir = mkdtempSync(join(tmpdir(), "eap-bench-jobs-"));
  supervisor.defer("the temp dir", async () => rmSync(tmpDir, { recursive: true, force: true }));
  try {
    const origin = await startOrigin();
    supervisor.defer("the origin site", () => origin.close());
    const envFile = join(tmpDir, "worker.env");
    const vars = `ENVIRONMENT='development'\nRATE_LIMITS='off'\nSUBREQUEST_BUDGET='${values.budget}'\n`;
    writeFileSync(envFile, vars, { mode: 0o600 });
    const worker = await startWranglerDev({
      projectDir: resolve(fileURLToPath(new URL("..", import.meta.url))),
      port: await freePort(),
      envFile,
      stateDir: join(tmpDir, "wrangler"),
      supervisor,
    });
    const row = await benchCrawlJobs(worker.url, origin.url, {
      pages: Number(values.pages),
      budget: Number(values.budget),
      signal: supervisor.signal,
    });
    console.log(crawlJobsMarkdown(row));
    // The same machine's GET /crawl of 48 such pages, for scale: its ratio to the ideal shows the local latency.
    const [reference] = await benchCrawl(worker.url, origin.url, {
      concurrency: [SLOTS],
      runs: 1,
      signal: supervisor.signal,
    });
    if (reference)
      console.log(`GET /crawl reference: ${reference.elapsedMs} ms vs ${reference.idealMs} ms ideal`);
    return 0;
  } finally {
    await supervisor.stopAll((line) => console.error(line));
  }
}

if (import.meta.main) {
  process.exit(await main(process.argv.slice(2)));
}
