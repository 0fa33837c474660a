import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileGlob, compilePatterns, globProblem } from "../../src/lib/fanout/patterns.ts";
import { createFrontier, createScheduler, type QueuedUrl } from "../../src/lib/fanout/scheduler.ts";
import { runs } from "./battery-support.ts";

// The glob grammar restated the obvious way, as a RegExp: fine for the short strings generated here,
// and independent of the state-stepping matcher under test.
function referenceGlob(glob: string): RegExp {
  const literal = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  const source = glob
    .split("**")
    .map((part) => part.split("*").map(literal).join("[^/]*"))
    .join(".*");
  return new RegExp(`^${source}$`, "s");
}

// Small alphabets, so that generated globs and texts actually meet; `?` and `.` must stay literal.
const globArb = fc.string({ unit: fc.constantFrom("a", "b", "/", "*", "?", "."), maxLength: 12 });
const textArb = fc.string({ unit: fc.constantFrom("a", "b", "/", "?", "."), maxLength: 16 });

describe("URL globs", () => {
  it("match exactly what the `*` / `**` grammar says", () => {
    fc.assert(
      fc.property(globArb, textArb, (glob, text) => {
        expect(compileGlob(glob)(text)).toBe(referenceGlob(glob).test(text));
      }),
      runs(2000),
    );
  });

  it("let `*` stop at `/` while `**` crosses it, and keep `?` literal", () => {
    fc.assert(
      fc.property(textArb, (text) => {
        expect(compileGlob("**")(text)).toBe(true);
        expect(compileGlob("*")(text)).toBe(!text.includes("/"));
        expect(compileGlob(text)(text)).toBe(true);
        if (text.includes("?")) expect(compileGlob(text.replace("?", "a"))(text)).toBe(false);
      }),
      runs(500),
    );
  });

  it("let an exclude win over an include, for whole URLs and for paths", () => {
    const patterns = compilePatterns({
      include: ["https://example.com/docs/**", "/blog/*"],
      exclude: ["/docs/old/**", "https://example.com/blog/draft-*"],
    });
    const admitted = (href: string) => patterns.admits(new URL(href));
    expect(admitted("https://example.com/docs/a/b?c=1")).toBe(true);
    expect(admitted("https://example.com/docs/old/a")).toBe(false);
    expect(admitted("https://example.com/blog/post")).toBe(true);
    expect(admitted("https://example.com/blog/post/comments")).toBe(false);
    expect(admitted("https://example.com/blog/draft-1")).toBe(false);
    expect(admitted("https://example.com/about")).toBe(false);
    expect(compilePatterns({}).admits(new URL("https://example.com/anything"))).toBe(true);
  });

  it("answer in time proportional to the URL for a glob that would make a RegExp backtrack", () => {
    // `.*a.*a.*…b` against a long run of `a`s backtracks for minutes as a RegExp; here it is one pass.
    const glob = `${"**a".repeat(30)}**b`;
    expect(globProblem(glob)).toBeUndefined();
    expect(compileGlob(glob)("a".repeat(2000))).toBe(false);
  });

  it.each([
    ["", "is empty"],
    ["/docs/***", "three or more"],
    ["/a b", "whitespace"],
    ["/a\u0000", "control"],
    [`/${"a".repeat(300)}`, "longer than"],
  ])("refuses the glob %j: it %s", (glob, reason) => {
    expect(globProblem(glob)).toContain(reason);
  });
});

/** A random link graph over pages 0..n−1, page 0 the start, each page's links in order. */
const graphArb = fc
  .integer({ min: 1, max: 24 })
  .chain((n) =>
    fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 5 }), { minLength: n, maxLength: n }),
  );

/** Link distance from page 0 to every page, by breadth-first search; `listed` pages are one step from page 0. */
function distances(graph: number[][], listed: number[] = []): Map<number, number> {
  const distance = new Map([[0, 0]]);
  for (const page of listed) if (!distance.has(page)) distance.set(page, 1);
  const queue = [0, ...listed.filter((page) => page !== 0)];
  for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
    for (const link of graph[page] ?? []) {
      if (distance.has(link)) continue;
      distance.set(link, (distance.get(page) ?? 0) + 1);
      queue.push(link);
    }
  }
  return distance;
}

describe("the crawl scheduler", () => {
  it("never runs more than `concurrency`, never starts a URL twice, keeps the shallowest and true depths, sitemap or not", async () => {
    await fc.assert(
      fc.asyncProperty(
        graphArb,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.scheduler(),
        async (graph, concurrency, limit, sitemap, s) => {
          const frontier = createFrontier();
          const seen = new Set<string>();
          const started: QueuedUrl[] = [];
          let seq = 0;
          let inFlight = 0;
          let peak = 0;
          const admit = (page: number, depth: number) => {
            const href = String(page);
            if (seen.has(href) && !frontier.has(href)) return;
            seen.add(href);
            frontier.push({ href, depth, seq: seq++ });
          };
          const scheduler = createScheduler({
            concurrency,
            limit,
            frontier,
            async visit(item) {
              started.push(item);
              inFlight++;
              peak = Math.max(peak, inFlight);
              // fast-check decides when each visit completes: every interleaving is fair game.
              await s.schedule(Promise.resolve(), `visit ${item.href}`);
              inFlight--;
              for (const link of graph[Number(item.href)] ?? []) admit(link, item.depth + 1);
            },
          });
          admit(0, 0);
          // A sitemap read alongside the crawl, its entries (depth 1) arriving whenever fast-check decides.
          const listed = sitemap.map((n) => n % graph.length);
          const reading = (async () => {
            for (const page of listed) {
              await s.schedule(Promise.resolve(), `sitemap ${page}`);
              admit(page, 1);
              scheduler.pump();
            }
          })();
          scheduler.hold(reading, 1);
          const count = await s.waitFor(scheduler.run());

          const reachable = distances(graph, listed);
          expect(peak).toBeLessThanOrEqual(concurrency);
          expect(count).toBe(started.length);
          expect(new Set(started.map((item) => item.href)).size).toBe(started.length);
          expect(started.length).toBe(Math.min(limit, reachable.size));
          // Every page's depth is its true link distance, and nothing left out is shallower than a page kept.
          for (const item of started) expect(item.depth).toBe(reachable.get(Number(item.href)));
          const deepest = Math.max(...started.map((item) => item.depth));
          const kept = new Set(started.map((item) => Number(item.href)));
          for (const [page, depth] of reachable)
            if (!kept.has(page)) expect(depth).toBeGreaterThanOrEqual(deepest);
        },
      ),
      runs(300),
    );
  });

  it("keeps every slot busy on a wide level while pages of it complete in any order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.scheduler(), async (concurrency, s) => {
        const frontier = createFrontier();
        const waitingWhenStarted: number[] = [];
        let inFlight = 0;
        for (let i = 0; i < 20; i++) frontier.push({ href: String(i), depth: 1, seq: i });
        const scheduler = createScheduler({
          concurrency,
          limit: 20,
          frontier,
          async visit() {
            inFlight++;
            await s.schedule(Promise.resolve());
            waitingWhenStarted.push(inFlight);
            inFlight--;
          },
        });
        await s.waitFor(scheduler.run());
        // Until the last `concurrency` pages, every completion found all slots taken: no slot sat idle.
        expect(waitingWhenStarted.slice(0, 20 - concurrency + 1).every((n) => n === concurrency)).toBe(true);
      }),
      runs(100),
    );
  });
});
