import type { CrawlPage } from "../../schemas/crawl.ts";

/**
 * Puts a crawl's pages in the order a level-by-level crawl would have listed them, whatever order they
 * completed in: by depth; within depth d, first the pages linked from depth d − 1, following those pages
 * in this same order and each one's links in document order; then the depth-d pages nothing at d − 1 links
 * to (sitemap entries, the start page), by `seqOf`, their discovery order.
 *
 * @example
 * ```ts
 * const ordered = levelOrder(pages, new Map([[home, [about, docs]]]), new Map([[home, 0]]));
 * ```
 */
export function levelOrder(
  pages: readonly CrawlPage[],
  linksOf: ReadonlyMap<string, readonly string[]>,
  seqOf: ReadonlyMap<string, number>,
): CrawlPage[] {
  const byDepth: CrawlPage[][] = [];
  for (const page of pages) {
    const level = byDepth[page.depth];
    if (level) level.push(page);
    else byDepth[page.depth] = [page];
  }
  const ordered: CrawlPage[] = [];
  let previous: CrawlPage[] = [];
  for (const level of byDepth) {
    if (!level) {
      previous = [];
      continue;
    }
    const atDepth = new Map(level.map((page) => [page.url, page]));
    const placed: CrawlPage[] = [];
    for (const parent of previous) {
      for (const href of linksOf.get(parent.url) ?? []) {
        const page = atDepth.get(href);
        if (!page) continue;
        placed.push(page);
        atDepth.delete(href);
      }
    }
    const rest = [...atDepth.values()].sort((a, b) => (seqOf.get(a.url) ?? 0) - (seqOf.get(b.url) ?? 0));
    previous = [...placed, ...rest];
    ordered.push(...previous);
  }
  return ordered;
}
