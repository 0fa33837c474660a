/**
 * Fan-out: `/crawl` of the origin's 48-page benchmark site (`/grid/48/100/`, every page answering after 100 ms) at
 * concurrency 1, 3 and 6, against the ideal of ceil(pages / concurrency) × delay.
 */
import { median } from "./load.ts";
import { getJson } from "./net.ts";

/** One concurrency, the median of `runs` crawls. */
export interface CrawlRow {
  concurrency: number;
  runs: number;
  pages: number;
  delayMs: number;
  /** As the Worker measured it. */
  elapsedMs: number;
  /** ceil(pages / concurrency) × delay. */
  idealMs: number;
  /**
   * The crawl is breadth-first by level, so the 47 pages of depth 1 wait for the index at depth 0:
   * (1 + ceil((pages − 1) / concurrency)) × delay is the best it can do.
   */
  levelFloorMs: number;
  /** elapsed / ideal. */
  ratio: number;
  pagesPerSecond: number;
  /** The most subrequests the crawler had in flight (its own count). */
  maxInFlight: number;
}

const PAGES = 48;
const DELAY_MS = 100;

interface CrawlAnswer {
  elapsedMs: number;
  stats: { fetched: number; failed: number; maxInFlight: number };
}

/**
 * Crawls the site `runs` times at each concurrency; fails if a crawl misses a page, since its time would then
 * describe a smaller crawl.
 *
 * @example
 * ```ts
 * const rows = await benchCrawl("http://127.0.0.1:8787", originUrl, { concurrency: [1, 3, 6], runs: 3, signal });
 * ```
 */
export async function benchCrawl(
  workerUrl: string,
  originUrl: string,
  options: { concurrency: number[]; runs: number; signal: AbortSignal },
): Promise<CrawlRow[]> {
  const site = `${originUrl}/grid/${PAGES}/${DELAY_MS}/`;
  const rows: CrawlRow[] = [];
  for (const concurrency of options.concurrency) {
    const answers: CrawlAnswer[] = [];
    for (let run = 0; run < options.runs; run++) {
      const query = new URLSearchParams({
        url: site,
        maxPages: String(PAGES),
        maxDepth: "1",
        concurrency: String(concurrency),
      });
      const answer = await getJson<CrawlAnswer>(`${workerUrl}/crawl?${query}`, options.signal);
      if (answer.stats.fetched !== PAGES || answer.stats.failed !== 0) {
        throw new Error(
          `the crawl of ${site} fetched ${answer.stats.fetched} of ${PAGES} pages (${answer.stats.failed} failed)`,
        );
      }
      answers.push(answer);
    }
    const elapsedMs = median(answers.map((answer) => answer.elapsedMs));
    const idealMs = Math.ceil(PAGES / concurrency) * DELAY_MS;
    rows.push({
      concurrency,
      runs: options.runs,
      pages: PAGES,
      delayMs: DELAY_MS,
      elapsedMs,
      idealMs,
      levelFloorMs: (1 + Math.ceil((PAGES - 1) / concurrency)) * DELAY_MS,
      ratio: elapsedMs / idealMs,
      pagesPerSecond: PAGES / (elapsedMs / 1000),
      maxInFlight: Math.max(...answers.map((answer) => answer.stats.maxInFlight)),
    });
  }
  return rows;
}
