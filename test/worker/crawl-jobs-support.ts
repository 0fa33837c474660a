import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { NewJob } from "../../src/jobs/crawl-job.ts";
import type {
  CrawlJobOptions,
  CrawlJobPage,
  CrawlJob as CrawlJobView,
} from "../../src/schemas/crawl-jobs.ts";

const defaults: CrawlJobOptions = {
  maxPages: 1000,
  maxDepth: 5,
  concurrency: 6,
  timeoutMs: 5000,
  source: "all",
};
const finished = new Set(["completed", "cancelled", "failed"]);

/** A job's Durable Object, reached the way the routes reach it: by RPC, named by the job's id. */
export function jobStub(id: string) {
  return env.CRAWL_JOBS.get(env.CRAWL_JOBS.idFromName(id));
}

/**
 * Creates a job straight on its Durable Object (no route in between), in development mode so loopback test
 * sites are allowed. A small `budget` spreads the job over many invocations.
 */
export async function startJob(url: string, options: Partial<CrawlJobOptions> = {}, budget = 50) {
  const id = crypto.randomUUID();
  const stub = jobStub(id);
  const job: NewJob = { id, url, options: { ...defaults, ...options }, production: false, budget };
  const created = await stub.create(job);
  return { id, stub, created };
}

/**
 * Polls the job until it has ended, as a client would, and answers it. The job runs in alarms, outside any
 * request the test could await; polling its state is the only way to wait for it, bounded by `deadlineMs`.
 */
export async function untilFinished(id: string, deadlineMs = 60_000): Promise<CrawlJobView> {
  const stub = jobStub(id);
  const until = Date.now() + deadlineMs;
  for (;;) {
    const job = await stub.read();
    if (!job) throw new Error(`Job ${id} does not exist.`);
    if (finished.has(job.status)) return job;
    if (Date.now() > until) throw new Error(`Job ${id} still ${job.status}: ${JSON.stringify(job.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls until `check` holds, for states that only the test site or the job itself can report. */
export async function until(check: () => Promise<boolean>, what: string, deadlineMs = 30_000) {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every recorded page of a job, following the keyset cursor `limit` at a time. */
export async function allPages(id: string, limit = 500): Promise<CrawlJobPage[]> {
  const stub = jobStub(id);
  const pages: CrawlJobPage[] = [];
  let cursor = 0;
  for (;;) {
    const batch = await stub.pages(cursor, limit);
    if (!batch) throw new Error(`Job ${id} does not exist.`);
    pages.push(...batch.items);
    if (batch.nextCursor === null) return pages;
    cursor = Number(batch.nextCursor);
  }
}

/** The pages' URLs relative to the site, asserting that none appears twice. */
export function pathsOnce(siteUrl: string, pages: CrawlJobPage[]): string[] {
  const paths = pages.map((page) => page.url.replace(siteUrl, ""));
  expect(paths.length, "a page recorded twice").toBe(new Set(paths).size);
  return paths;
}
