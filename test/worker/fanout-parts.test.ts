import { describe, expect, it } from "vitest";
import { createBudget, subrequestBudgetOf } from "../../src/lib/fanout/budget.ts";
import { levelOrder } from "../../src/lib/fanout/level-order.ts";
import { createLimiter } from "../../src/lib/fanout/limiter.ts";
import { extractLinks, isHtml } from "../../src/lib/fanout/links.ts";
import { normalizeUrl } from "../../src/lib/fanout/normalize.ts";

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("createLimiter", () => {
  it("runs at most `concurrency` tasks at once, in arrival order, and remembers the peak", async () => {
    const limiter = createLimiter(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.inFlight).toBe(2);
    gates[1]?.resolve();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    await Promise.all(runs);
    expect(limiter.peak).toBe(2);
    expect(limiter.inFlight).toBe(0);
  });

  it("frees the slot when a task fails", async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(limiter.run(() => Promise.resolve("next"))).resolves.toBe("next");
  });

  it.each([0, 1.5, -1])("refuses a concurrency of %s", (concurrency) => {
    expect(() => createLimiter(concurrency)).toThrow(RangeError);
  });
});

describe("subrequest budget", () => {
  it("hands out exactly `limit` subrequests, then reports itself exhausted", () => {
    const budget = createBudget(2);
    expect([budget.take(), budget.take(), budget.exhausted, budget.take(), budget.exhausted]).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(budget.used).toBe(2);
  });

  it.each([
    ["50", 50],
    ["1000", 1000],
    ["10000", 10_000],
    ["10001", 50],
    ["0", 50],
    ["lots", 50],
    ["", 50],
  ])("reads SUBREQUEST_BUDGET=%j as a budget of %i", (value, expected) => {
    expect(subrequestBudgetOf({ SUBREQUEST_BUDGET: value })).toBe(expected);
  });
});

describe("normalizeUrl", () => {
  it.each([
    ["HTTP://Example.COM:80/a/./b/../c?#top", "http://example.com/a/c"],
    ["https://example.com:443/docs/", "https://example.com/docs/"],
    ["https://example.com/docs", "https://example.com/docs"],
    ["https://example.com", "https://example.com/"],
    ["https://example.com/caf%c3%a9?q=%e2%82%ac", "https://example.com/caf%C3%A9?q=%E2%82%AC"],
    ["https://example.com/?b=2&a=1#x", "https://example.com/?b=2&a=1"],
    ["http://example.com:8080/", "http://example.com:8080/"],
  ])("spells %s as %s", (input, expected) => {
    expect(normalizeUrl(input)?.href).toBe(expected);
  });

  it("resolves relative links against a base", () => {
    expect(normalizeUrl("../b.html#s", "https://example.com/a/page.html")?.href).toBe(
      "https://example.com/b.html",
    );
  });

  it("answers undefined for what is not a URL", () => {
    expect(normalizeUrl("http://[::1")).toBeUndefined();
  });
});

describe("extractLinks", () => {
  const page = new URL("https://example.com/docs/page.html");
  const encode = (html: string) => new TextEncoder().encode(html);

  it("resolves links against a <base href> even when the base comes after them", async () => {
    const html = `<html><head><title> Tom &amp; Jerry&#39;s </title></head><body>
      <a href="one.html#x">1</a><a href="/root">2</a><a href="mailto:a@b.c">3</a>
      <a href="javascript:void(0)">4</a><a href="https://other.example/">5</a><a href="one.html">dup</a>
      <base href="https://example.com/base/"></body></html>`;
    const { title, links } = await extractLinks(encode(html), page, "text/html; charset=utf-8");
    expect(title).toBe("Tom & Jerry's");
    expect(links.map(String)).toEqual([
      "https://example.com/base/one.html",
      "https://example.com/root",
      "https://other.example/",
    ]);
  });

  it("decodes href and base values with the HTML attribute rules, as a browser does", async () => {
    const html = `<base href="sub&#47;"><title>A&nbsp;&amp;\n B&copy</title>
      <a href="c?i=1&amp;j=2">amp</a><a href="c?i=2&#38;j=3">dec</a><a href="c?i=3&#x26;j=4">hex</a>
      <a href="c?i=4&amp=5">legacy</a><a href="c?x=&copy1">no semicolon</a><a href="c?x=&copy;">copy</a>
      <a href="//example.com/proto">protocol-relative</a><a href="../up">up</a><a href=" \tspaced\n">s</a>`;
    const { title, links } = await extractLinks(encode(html), page, "text/html");
    // The no-break space stays, other whitespace collapses; `&copy` without `;` decodes in text.
    expect(title).toBe("A\u00a0& B\u00a9");
    expect(links.map(String)).toEqual([
      "https://example.com/docs/sub/c?i=1&j=2",
      "https://example.com/docs/sub/c?i=2&j=3",
      "https://example.com/docs/sub/c?i=3&j=4",
      // In an attribute a reference without `;` followed by `=` or an alphanumeric stays as written.
      "https://example.com/docs/sub/c?i=4&amp=5",
      "https://example.com/docs/sub/c?x=&copy1",
      "https://example.com/docs/sub/c?x=%C2%A9",
      "https://example.com/proto",
      "https://example.com/docs/up",
      "https://example.com/docs/sub/spaced",
    ]);
  });

  it("ignores a base that is not an http(s) URL", async () => {
    const html = `<base href="javascript:alert(1)"><a href="next.html">n</a>`;
    const { title, links } = await extractLinks(encode(html), page, "text/html");
    expect(title).toBeUndefined();
    expect(links.map(String)).toEqual(["https://example.com/docs/next.html"]);
  });

  it.each([
    ["text/html", true],
    ["TEXT/HTML; charset=utf-8", true],
    ["application/xhtml+xml", false],
    ["application/json", false],
    [null, false],
  ])("treats content-type %s as HTML: %s", (type, expected) => {
    expect(isHtml(type)).toBe(expected);
  });
});

describe("levelOrder", () => {
  const page = (url: string, depth: number) => ({ url, depth, links: 0, ms: 0, startMs: 0, endMs: 0 });

  it("lists pages by depth, each depth in the order the previous one links to them, others by discovery", () => {
    // Completion order: deepest and latest first.
    const pages = [page("d", 2), page("s", 1), page("c", 1), page("b", 1), page("a", 0)];
    const links = new Map([
      ["a", ["c", "b"]],
      ["b", ["d"]],
      ["c", []],
    ]);
    const seq = new Map([
      ["a", 0],
      ["s", 1],
      ["b", 2],
      ["c", 3],
      ["d", 4],
    ]);
    expect(levelOrder(pages, links, seq).map((entry) => entry.url)).toEqual(["a", "c", "b", "s", "d"]);
  });
});
