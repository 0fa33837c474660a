/**
 * How long a crawl of a known site would take under a scheduling policy, with no overhead at all: a
 * discrete-event simulation of `slots` connections. A page becomes known when the page linking to it
 * completes; a free slot takes the known page that is shallowest, then earliest known. Policies:
 *
 * - `busy`: any known page may start: the best a scheduler that keeps its slots busy can do on this site.
 * - `window`: the crawler's rule, a page of depth d waits while a page of depth d − 2 or less runs.
 * - `levels`: depth d + 1 starts only once depth d is done (the crawler before issue 11).
 */
export interface SimPage {
  id: string;
  depth: number;
  ms: number;
  children: string[];
}

export type SimPolicy = "busy" | "window" | "levels";

/**
 * The simulated elapsed time, in ms, of crawling every page reachable from `pages[0]`.
 *
 * @example
 * ```ts
 * simulateCrawl(skewTreePages(tree), 6, "busy"); // e.g. 1300
 * ```
 */
export function simulateCrawl(pages: readonly SimPage[], slots: number, policy: SimPolicy): number {
  const byId = new Map(pages.map((page) => [page.id, page]));
  const root = pages[0];
  if (!root) return 0;
  let known: { page: SimPage; order: number }[] = [{ page: root, order: 0 }];
  let order = 1;
  const running: { page: SimPage; endsAt: number }[] = [];
  let now = 0;
  const mayStart = (page: SimPage) => {
    if (policy === "busy") return true;
    if (policy === "window") return running.every((run) => run.page.depth >= page.depth - 1);
    // `levels`: nothing shallower runs or waits.
    return (
      running.every((run) => run.page.depth >= page.depth) && known.every((k) => k.page.depth >= page.depth)
    );
  };
  while (known.length > 0 || running.length > 0) {
    known.sort((a, b) => a.page.depth - b.page.depth || a.order - b.order);
    while (running.length < slots && known[0] && mayStart(known[0].page)) {
      const next = known.shift();
      if (next) running.push({ page: next.page, endsAt: now + next.page.ms });
    }
    running.sort((a, b) => a.endsAt - b.endsAt);
    const done = running.shift();
    if (!done) break;
    now = done.endsAt;
    const found = done.page.children.flatMap((id) => byId.get(id) ?? []);
    known = [...known, ...found.map((page) => ({ page, order: order++ }))];
  }
  return now;
}

/**
 * The bound no scheduler with `slots` connections can beat: the slowest chain of pages, or all the work
 * spread evenly over the slots.
 *
 * @example
 * ```ts
 * lowerBound(skewTreePages(tree), 6);
 * ```
 */
export function lowerBound(pages: readonly SimPage[], slots: number): number {
  const byId = new Map(pages.map((page) => [page.id, page]));
  const chain = (page: SimPage): number =>
    page.ms + Math.max(0, ...page.children.flatMap((id) => byId.get(id) ?? []).map(chain));
  const root = pages[0];
  const work = pages.reduce((sum, page) => sum + page.ms, 0);
  return root ? Math.max(chain(root), work / slots) : 0;
}
