import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { badInteger, header, invalidJson, notJsonContentType, withRequestId } from "./battery-arbitraries.ts";
import { expectRejected, type Probe, type Rejection, runs, send } from "./battery-support.ts";
import { newSite } from "./test-site.ts";

// `@RUN` is the origin of a fresh test site here: URLs on it are valid in development, so any request that
// carries one must be refused for another reason, and the site's log proves nothing was fetched.
const SITE_URLS = ["@RUN/", "@RUN/site/", "@RUN/grid/4/0/", "@RUN/redirect/2"];

/** Loopback targets: allowed in development (for local test sites), refused in production. */
const LOOPBACK = [
  ...SITE_URLS,
  "http://127.0.0.1:9/",
  "http://localhost:9/",
  "http://a.localhost:9/",
  "http://[::1]:9/",
  "http://2130706433:9/",
  "http://0x7f.1:9/",
  "http://[::ffff:127.0.0.1]:9/",
];

/** Targets refused in every mode: not http(s), credentials, private, link-local, metadata or internal names. */
const REFUSED = [
  ...[
    "",
    "not a url",
    "//example.com/",
    "/relative",
    "example.com",
    "http:",
    "https://",
    "http://exa mple.com/",
  ],
  ...["ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "data:text/html,<b>x</b>"],
  ...[
    "gopher://example.com/",
    "ws://example.com/",
    "mailto:a@example.com",
    "about:blank",
    "blob:https://x.org/1",
  ],
  ...["http://user:pass@example.com/", "http://user@example.com/", "https://:secret@example.com/"],
  ...["http://user:pass@127.0.0.1:9/", "http://a%40b:c@example.com/"],
  ...[
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
  ],
  ...[
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://255.255.255.255/",
    "http://224.0.0.1/",
    "http://[::]/",
  ],
  ...["http://[::ffff:10.0.0.1]/", "http://[fd00::1]/", "http://[fe80::1]/", "http://[64:ff9b::a00:1]/"],
  ...["http://[2002:a00:1::]/", "http://0x0a.0.0.1/", "http://167772161/", "http://012.0.0.1/"],
  ...[
    "http://metadata.google.internal/",
    "http://metadata/",
    "http://foo.internal/",
    "http://printer.local/",
  ],
  ...[
    "http://intranet/",
    "http://router.lan/",
    "http://x.home.arpa/",
    `http://example.com/${"a".repeat(2048)}`,
  ],
];

const byte = fc.integer({ min: 0, max: 255 });
const privateAddress = fc.oneof(
  fc.tuple(byte, byte, byte).map(([a, b, c]) => `10.${a}.${b}.${c}`),
  fc.tuple(fc.integer({ min: 16, max: 31 }), byte, byte).map(([a, b, c]) => `172.${a}.${b}.${c}`),
  fc.tuple(byte, byte).map(([a, b]) => `192.168.${a}.${b}`),
  fc.tuple(byte, byte).map(([a, b]) => `169.254.${a}.${b}`),
  fc.tuple(fc.integer({ min: 64, max: 127 }), byte, byte).map(([a, b, c]) => `100.${a}.${b}.${c}`),
);

function isHttpUrl(text: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

const refusedUrl = fc.oneof(
  fc.constantFrom(...REFUSED),
  privateAddress.map((host) => `http://${host}/`),
  // Anything at all that is not an http(s) URL: never a public target.
  fc.string({ maxLength: 40 }).filter((text) => !isHttpUrl(text)),
);

/** A target URL, and whether it alone makes the request invalid in that mode. */
function target(production: boolean) {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...SITE_URLS).map((url) => ({ url, defect: production })) },
    fc.constantFrom(...LOOPBACK).map((url) => ({ url, defect: production })),
    { weight: 2, arbitrary: refusedUrl.map((url) => ({ url, defect: true })) },
  );
}

const option = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const badFetch = (production: boolean) =>
  fc
    .record({
      urls: fc.oneof(
        fc.array(target(production), { minLength: 1, maxLength: 8 }).map((targets) => ({
          value: targets.map(({ url }) => url) as unknown,
          defect: targets.some(({ defect }) => defect),
        })),
        fc
          .constantFrom(undefined, null, "@RUN/", [], Array(51).fill("@RUN/"), [1], [null], [{}], [["@RUN/"]])
          .map((value) => ({ value, defect: true })),
      ),
      method: option(fc.constantFrom("POST", "get", "", 1, null, "OPTIONS", "CONNECT")),
      timeoutMs: option(fc.constantFrom(99, 30_001, 1.5, "5000", null, -1, 1e10, true)),
      concurrency: option(fc.constantFrom(0, 7, 2.5, "6", null, -1)),
      raw: option(fc.oneof(invalidJson, fc.constantFrom("null", "[]", '"x"', "1"))),
      contentType: option(notJsonContentType),
    })
    .map((d) => {
      const statuses: number[] = [];
      if (d.urls.defect || d.method !== undefined || d.timeoutMs !== undefined) statuses.push(400);
      if (d.concurrency !== undefined || d.raw !== undefined) statuses.push(400);
      if (d.contentType !== undefined) statuses.push(415);
      const body: Record<string, unknown> = { urls: d.urls.value };
      if (d.method !== undefined) body.method = d.method;
      if (d.timeoutMs !== undefined) body.timeoutMs = d.timeoutMs;
      if (d.concurrency !== undefined) body.concurrency = d.concurrency;
      const headers = header({ "content-type": "application/json" }, "content-type", d.contentType);
      const probe: Probe = { method: "POST", path: "/fetch", headers, body: d.raw ?? JSON.stringify(body) };
      return { probe, allowed: [...new Set(statuses)] };
    })
    .filter(({ allowed }) => allowed.length > 0);

const badCrawl = (production: boolean) =>
  fc
    .record({
      url: fc.oneof(
        target(production),
        fc.constant({ url: undefined, defect: true }),
        fc.constant({ url: ["@RUN/", "@RUN/site/"], defect: true }),
      ),
      maxPages: option(badInteger(1, 200)),
      maxDepth: option(badInteger(0, 5)),
      concurrency: option(badInteger(1, 6)),
      timeoutMs: option(badInteger(100, 30_000)),
    })
    .filter(
      (d) =>
        d.url.defect || [d.maxPages, d.maxDepth, d.concurrency, d.timeoutMs].some((v) => v !== undefined),
    )
    .map((d): Rejection => {
      const params: [string, string][] = [];
      for (const url of [d.url.url ?? []].flat()) params.push(["url", url]);
      for (const name of ["maxPages", "maxDepth", "concurrency", "timeoutMs"] as const) {
        const value = d[name];
        if (value !== undefined) params.push([name, value]);
      }
      const query = new URLSearchParams(params).toString().replaceAll("%40RUN", "@RUN");
      return { probe: { method: "GET", path: `/crawl?${query}`, headers: {} }, allowed: [400] };
    });

const wrongMethod = fc.constantFrom<Rejection>(
  ...["POST", "PUT", "DELETE", "PATCH"].map((method) => ({
    probe: { method, path: "/crawl?url=@RUN/", headers: {} },
    allowed: [405],
  })),
  ...["GET", "PUT", "DELETE"].map((method) => ({
    probe: { method, path: "/fetch", headers: {} },
    allowed: [405],
  })),
);

/** Some probes ask for NDJSON: a refusal is still one JSON error, not a stream. */
function maybeNdjson(arbitrary: fc.Arbitrary<Rejection>): fc.Arbitrary<Rejection> {
  return fc.tuple(arbitrary, fc.boolean()).map(([rejection, ndjson]) =>
    ndjson
      ? {
          ...rejection,
          probe: {
            ...rejection.probe,
            headers: { ...rejection.probe.headers, accept: "application/x-ndjson" },
          },
        }
      : rejection,
  );
}

describe("fan-out bad-input battery", () => {
  it.each([
    ["/fetch", badFetch],
    ["/crawl", badCrawl],
  ])(
    "refuses 300 malformed %s requests with a 4xx, before fetching anything",
    async (_route, bad) => {
      const site = await newSite();
      const origin = new URL(site.url).origin;
      // Development allows loopback targets, production refuses them: both modes, one request each run.
      const request = fc
        .boolean()
        .chain((production) =>
          maybeNdjson(withRequestId(fc.oneof({ weight: 9, arbitrary: bad(production) }, wrongMethod))).map(
            (rejection) => ({ production, ...rejection }),
          ),
        );
      await fc.assert(
        fc.asyncProperty(request, async ({ production, probe, allowed }) => {
          const overrides = production ? { ENVIRONMENT: "production" } : {};
          await expectRejected(await send(probe, origin, overrides), allowed, probe);
        }),
        runs(300),
      );
      expect((await site.stats()).requests).toEqual([]);
    },
    60_000,
  );
});
