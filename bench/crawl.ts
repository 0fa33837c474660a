/**
 * Fan-out: `/crawl` of two sites of the origin (fixtures/site/), each against the best a crawler could do there.
 *
 * - The 48-page site (`/grid/48/100/`, every page answering after 100 ms), listed in its sitemap, at concurrency
 *   1, 3 and 6, against ceil(pages / concurrency) × delay: reachable only if the 47 pages start while the index
 *   still loads, which the sitemap makes possible.
 * - A skewed tree (`/skew/3/3/400/100/`: three links a page, three levels, the last page of each level answering
 *   after 400 ms and the other 39 after 100 ms), links only, at concurrency 6, against a simulation of the best a
 *   scheduler keeping 6 slots busy can do on it (bench/crawl-sim.ts: zero overhead, every known page may start).
 *
 * Each row also gives what a level-by-level crawl (the crawler before issue 11) could do at best there.
 */
import { type SkewTree, skewRoot, skewTreePages } from "../fixtures/site/skew.ts";
import { lowerBound, type SimPage, simulateCrawl } from "./crawl-sim.ts";
import { median } from "./load.ts";
import { getJson } from "./net.ts";

/** One site at one concurrency, the median of `runs` crawls. */
export interface CrawlRow {
  /** Which site, as the report names it. */
  site: string;
  concurrency: number;
  runs: number;
  pages: number;
  /** As the Worker measured it, robots.txt and sitemap included. */
  elapsedMs: number;
  /** The best possible: ceil(pages / concurrency) × delay for the grid, the simulated busy scheduler for the tree. */
  idealMs: number;
  /** How `idealMs` was found. */
  ideal: string;
  /** The best a level-by-level crawl can do: depth d + 1 starts only once depth d is done (simulated). */
  levelFloorMs: number;
  /** elapsed / ideal. */
  ratio: number;
  /**
   * The same best, simulated again with each page's latency as this crawl observed it (its `ms`), from when the
   * first page started: what a perfect scheduler would have made of this machine's actual answers.
   */
  observedIdealMs: number;
  /** elapsed / observedIdeal: the scheduler's own share of the gap, with the machine's load taken out. */
  schedulingRatio: number;
  pagesPerSecond: number;
  /** The most subrequests the crawler had in flight (its own count). */
  maxInFlight: number;
}

const GRID_PAGES = 48;
const GRID_DELAY_MS = 100;
const SKEW: SkewTree = { branching: 3, depth: 3, slowMs: 400, fastMs: 100 };

interface CrawlAnswer {
  elapsedMs: number;
  pages: { url: string; ms: number; startMs: number }[];
  stats: { fetched: number; failed: number; maxInFlight: number };
}

interface Options {
  concurrency: number[];
  runs: number;
  signal: AbortSignal;
}

/**
 * Crawls each site `runs` times per concurrency; fails if a crawl misses a page, since its time would then
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
  options: Options,
): Promise<CrawlRow[]> {
  const rows: CrawlRow[] = [];
  const gridSite = await newSite(
    originUrl,
    `/sitemaps/grid/${GRID_PAGES}/${GRID_DELAY_MS}.xml`,
    options.signal,
  );
  const grid = `${gridSite}/grid/${GRID_PAGES}/${GRID_DELAY_MS}/`;
  for (const concurrency of options.concurrency) {
    const query = { url: grid, maxPages: String(GRID_PAGES), maxDepth: "1", source: "all" };
    const answers = await crawlTimes(
      workerUrl,
      { ...query, concurrency: String(concurrency) },
      GRID_PAGES,
      options,
    );
    const idealMs = Math.ceil(GRID_PAGES / concurrency) * GRID_DELAY_MS;
    const levelFloorMs = (1 + Math.ceil((GRID_PAGES - 1) / concurrency)) * GRID_DELAY_MS;
    const ideal = "ceil(pages / concurrency) × delay";
    // Every page is known at once from the sitemap: a root of no cost lists them all, in sitemap order.
    const observed = (answer: CrawlAnswer) => {
      const pages = answer.pages.map((page) => ({ id: page.url, depth: 1, ms: page.ms, children: [] }));
      const root = { id: "", depth: 0, ms: 0, children: pages.map((page) => page.id) };
      return simulateCrawl([root, ...pages], concurrency, "busy");
    };
    const label = `grid ${GRID_PAGES} × ${GRID_DELAY_MS} ms, sitemap`;
    rows.push(row(label, concurrency, answers, idealMs, ideal, levelFloorMs, observed));
  }

  const tree: SimPage[] = skewTreePages(SKEW);
  const skewSite = await newSite(originUrl, undefined, options.signal);
  const query = {
    url: `${skewSite}${skewRoot(SKEW)}`,
    maxPages: String(tree.length),
    maxDepth: String(SKEW.depth),
    source: "links",
    concurrency: "6",
  };
  const answers = await crawlTimes(workerUrl, query, tree.length, options);
  const idealMs = simulateCrawl(tree, 6, "busy");
  const bound = lowerBound(tree, 6);
  const window = simulateCrawl(tree, 6, "window");
  const ideal = `simulated busy 6-slot scheduler (lower bound ${bound.toFixed(0)} ms; the crawler's own rule, simulated: ${window} ms)`;
  const label = `skew ${SKEW.branching}^${SKEW.depth}, one ${SKEW.slowMs} ms page a level, rest ${SKEW.fastMs} ms`;
  const observed = (answer: CrawlAnswer) => {
    const msOf = new Map(answer.pages.map((page) => [page.url.slice(query.url.length), page.ms]));
    const seen = tree.map((page) => ({ ...page, ms: msOf.get(page.id) ?? page.ms }));
    return simulateCrawl(seen, 6, "busy");
  };
  rows.push(row(label, 6, answers, idealMs, ideal, simulateCrawl(tree, 6, "levels"), observed));
  return rows;
}

async function crawlTimes(
  workerUrl: string,
  query: Record<string, string>,
  pages: number,
  options: Options,
): Promise<CrawlAnswer[]> {
  const answers: CrawlAnswer[] = [];
  for (let run = 0; run < options.runs; run++) {
    const answer = await getJson<CrawlAnswer>(
      `${workerUrl}/crawl?${new URLSearchParams(query)}`,
      options.signal,
    );
    if (answer.stats.fetched !== pages || answer.stats.failed !== 0) {
      throw new Error(
        `the crawl of ${query.url} fetched ${answer.stats.fetched} of ${pages} pages (${answer.stats.failed} failed)`,
      );
    }
    answers.push(answer);
  }
  return answers;
}

function row(
  site: string,
  concurrency: number,
  answers: CrawlAnswer[],
  idealMs: number,
  ideal: string,
  levelFloorMs: number,
  observed: (answer: CrawlAnswer) => number,
): CrawlRow {
  const elapsedMs = median(answers.map((answer) => answer.elapsedMs));
  const firstStart = (answer: CrawlAnswer) => Math.min(...answer.pages.map((page) => page.startMs));
  const observedIdealMs = median(answers.map((answer) => firstStart(answer) + observed(answer)));
  const pages = answers[0]?.pages.length ?? 0;
  return {
    site,
    concurrency,
    runs: answers.length,
    pages,
    elapsedMs,
    idealMs,
    ideal,
    levelFloorMs,
    ratio: elapsedMs / idealMs,
    observedIdealMs,
    schedulingRatio: elapsedMs / observedIdealMs,
    pagesPerSecond: pages / (elapsedMs / 1000),
    maxInFlight: Math.max(...answers.map((answer) => answer.stats.maxInFlight)),
  };
}

// A fresh instance of the origin site (its own port and log), optionally listing `sitemap` in its robots.txt.
async function newSite(originUrl: string, sitemap: string | undefined, signal: AbortSignal): Promise<string> {
  const query = new URLSearchParams(sitemap ? { sitemap } : {});
  const response = await fetch(`${originUrl}/__sites?${query}`, { method: "POST", signal });
  if (!response.ok) throw new Error(`the origin could not start a site: HTTP ${response.status}`);
  return ((await response.json()) as { url: string }).url;
}
