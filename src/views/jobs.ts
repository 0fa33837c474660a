import { html } from "hono/html";
import type { CrawlJob } from "../schemas/crawl-jobs.ts";
import { errorNote, page, table } from "./page.ts";
import { outcomeColours } from "./waterfall.ts";

/** How often a job's page reloads itself while the job is not finished. */
export const JOB_REFRESH_SECONDS = 2;

const segments = [
  { name: "fetched", colour: outcomeColours.ok },
  { name: "failed", colour: outcomeColours.error },
  { name: "disallowed", colour: "#718096" },
  { name: "skipped", colour: "#a0aec0" },
  { name: "queued", colour: "#e2e8f0" },
] as const;

/**
 * A crawl job's progress: one stacked bar of its URLs by state, the counts as a table, and, while the job is queued
 * or running, a `<meta http-equiv="refresh">` so the page follows it to the end without any script.
 *
 * @example
 * ```ts
 * .get("/path", endpoint(spec), htmlView(crawlJobPage), handler); // the handler's JSON becomes this page
 * ```
 */
export function crawlJobPage(job: CrawlJob, url?: string) {
  const running = job.status === "queued" || job.status === "running";
  const { counts } = job;
  const total = segments.reduce((sum, segment) => sum + counts[segment.name], 0);
  const done = total - counts.queued;
  let x = 0;
  const bar = segments.map(function segmentRect(segment) {
    const width = total ? (counts[segment.name] / total) * 740 : 0;
    const rect = html`<rect class="segment" x="${x + 10}" y="8" width="${Math.round(width * 10) / 10}" height="20" fill="${segment.colour}"><title>${segment.name}: ${counts[segment.name]}</title></rect>`;
    x += width;
    return rect;
  });
  return page({
    title: `Crawl job: ${job.status}`,
    url,
    refreshSeconds: running ? JOB_REFRESH_SECONDS : undefined,
    body: html`<p class="job-status" data-status="${job.status}">Crawling <code>${job.url}</code>: ${done} of ${total}
URLs done after ${job.elapsedMs} ms.
${running ? html`This page reloads every ${JOB_REFRESH_SECONDS} s until the job ends.` : html`The job has ended.`}</p>
${job.error ? errorNote(job.error) : ""}
<progress max="${Math.max(1, total)}" value="${done}">${done} of ${total}</progress>
<svg class="job-bar" viewBox="0 0 760 36" role="img" aria-label="URLs by state; the table below has the numbers">${bar}</svg>
${table(
  "URLs by state",
  ["state", "count"],
  segments.map((segment) => [segment.name, counts[segment.name]]),
)}
${table("Times", ["created", "started", "finished"], [[job.createdAt, job.startedAt ?? "", job.finishedAt ?? ""]])}
${table(
  "Cost so far",
  ["invocations", "subrequests", "rows read", "rows written", "stored bytes"],
  [
    [
      job.usage.invocations,
      job.usage.subrequests,
      job.usage.rowsRead,
      job.usage.rowsWritten,
      job.usage.storedBytes,
    ],
  ],
)}
<p>The pages it fetched: <a href="/crawl/jobs/${encodeURIComponent(job.id)}/pages">/crawl/jobs/${job.id}/pages</a> (JSON).</p>`,
  });
}
