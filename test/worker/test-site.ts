import { expect } from "vitest";
import { testEnv } from "./support.ts";

/** What the test site (fixtures/site/server.ts) saw: requests in flight now and at most, and every request. */
export interface SiteStats {
  inFlight: number;
  peak: number;
  /** `"METHOD /path?query"`, in arrival order. */
  requests: string[];
  /** When each of `requests` arrived, in ms since the site started. */
  arrivedMs: number[];
  /** Requests whose answer the client cut off before it was complete. */
  aborted: string[];
}

/** A fresh instance of the test site, with its own port, log and peak. */
export interface TestSite {
  url: string;
  stats(): Promise<SiteStats>;
  /** Lets `/held/<key>` answer (now, or as soon as it is requested). */
  release(key: string): Promise<void>;
}

/** How a test's site differs from the default one (see fixtures/site/server.ts). */
export interface SiteOptions {
  /** What robots.txt answers instead of its rules; default 200 with the rules. */
  robots?: number;
  /** A robots.txt `Sitemap:` line for this path. */
  sitemap?: string;
  /** A path served at `/sitemap.xml` too. */
  fallback?: string;
  /** A `Crawl-delay` in seconds for our user agent. */
  crawlDelay?: number;
}

/**
 * Starts a site of its own for one test, so test files running in parallel never see each other's
 * requests in the log or the peak. A number is the status robots.txt answers instead of its rules.
 */
export async function newSite(options: SiteOptions | number = {}): Promise<TestSite> {
  const { robots = 200, ...rest } = typeof options === "number" ? { robots: options } : options;
  const query = new URLSearchParams({ robots: String(robots) });
  for (const [name, value] of Object.entries(rest)) if (value !== undefined) query.set(name, String(value));
  const response = await fetch(`${originUrl()}/__sites?${query}`, { method: "POST" });
  expect(response.status).toBe(201);
  const { url } = (await response.json()) as { url: string };
  return {
    url,
    async stats() {
      return (await fetch(`${url}/__stats`)).json();
    },
    async release(key) {
      await (await fetch(`${url}/__release/${key}`, { method: "POST" })).arrayBuffer();
    },
  };
}

function originUrl(): string {
  const url = "TEST_ORIGIN_URL" in testEnv ? testEnv.TEST_ORIGIN_URL : undefined;
  if (typeof url !== "string")
    throw new Error("TEST_ORIGIN_URL is missing; test/setup/global.ts starts the site.");
  return url;
}

/** Reads an NDJSON body one parsed line at a time, as the lines arrive; `cancel` hangs up. */
export function ndjsonLines(response: Response): {
  next(): Promise<Record<string, unknown> | undefined>;
  cancel(): Promise<void>;
} {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    async next() {
      while (reader && !buffered.includes("\n")) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffered += chunk.value;
      }
      const newline = buffered.indexOf("\n");
      if (newline < 0) return undefined;
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      return JSON.parse(line);
    },
    async cancel() {
      await reader?.cancel();
    },
  };
}
