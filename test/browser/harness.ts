/**
 * What the browser tests stand on: `npm run dev` as a user starts it (free ports, a temp data dir, stopped with
 * Ctrl-C), a crawl target on loopback with hostile titles and URLs, and Debian's Chromium driven by playwright-core,
 * with every request the browser makes recorded so a test can prove none left the Worker's origin.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { devEnv, startDev } from "../support/dev-cli.ts";

/** Where screenshots go: test artifacts, outside the repository. */
export const screenshotDir = join(process.env.TMPDIR ?? tmpdir(), "edge-async-patterns-screens");

/** `npm run dev`, running. */
export interface DevStack {
  base: string;
  stop(): Promise<void>;
}

/**
 * Starts `node dev/cli.ts` on free ports with its own data dir and resolves once it prints its table.
 * The environment passes through, so CI=true makes a missing redis-server or MariaDB a failure here too.
 */
export async function startDevStack(): Promise<DevStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "eap-browser-"));
  const { env, base } = await devEnv(dataDir);
  const { child } = await startDev(env);
  return {
    base,
    async stop() {
      await interrupt(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function interrupt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGINT");
  await exited;
}

/** Pages the crawler is pointed at: hostile text that must stay text, and links whose URLs have quotes. */
export const hostileTitle = "<script>alert(1)</script>";
export const quotedPaths = [`/say"hi"`, "/it's"];

/**
 * A tiny site on loopback (allowed in development) for the crawl pages and the fetch form. A `crawlDelaySeconds`
 * in its robots.txt makes a crawl job take a while, long enough for its page to refresh.
 *
 * @example
 * ```ts
 * const site = await startSite(); // site.url is "http://127.0.0.1:PORT/"
 * ```
 */
export async function startSite(crawlDelaySeconds = 0): Promise<{ url: string; close(): void }> {
  const pages: Record<string, string> = {
    "/": `<html><head><title>${hostileTitle}</title></head><body><a href="/about">about</a> <a href='${quotedPaths[0]}'>double</a> <a href="${quotedPaths[1]}">single</a></body></html>`,
    "/about": "<html><head><title>About</title></head><body>hi</body></html>",
    ...Object.fromEntries(quotedPaths.map((path) => [path, `<title>"${path}" 'quoted'</title>`])),
  };
  const server: Server = createServer((req, res) => {
    if (req.url === "/robots.txt") {
      return res.end(
        `User-agent: *\nAllow: /\n${crawlDelaySeconds ? `Crawl-delay: ${crawlDelaySeconds}\n` : ""}`,
      );
    }
    const page = pages[decodeURI(req.url ?? "")];
    res.writeHead(page ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    res.end(page ?? `<html><head><title>${hostileTitle} not found</title></head></html>`);
  });
  await once(server.listen(0, "127.0.0.1"), "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

/** Chromium with one context whose every request is recorded; requests to another origin are also refused. */
export interface RecordingBrowser {
  browser: Browser;
  context: BrowserContext;
  /** Every URL the browser asked for, in order. */
  requests: string[];
  /** The ones that were not on `origin`. */
  offOrigin(): string[];
  close(): Promise<void>;
}

/**
 * Launches /usr/bin/chromium headless, without its background traffic (updates, sync, safe browsing), so any
 * request seen is one a page made.
 */
export async function launchRecordingBrowser(origin: string): Promise<RecordingBrowser> {
  mkdirSync(screenshotDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  await context.route("**/*", function recordRequest(route) {
    const url = route.request().url();
    requests.push(url);
    // data: URLs never reach the network; anything else off the origin is refused so it cannot leak.
    return url.startsWith(`${origin}/`) || url.startsWith("data:") ? route.continue() : route.abort();
  });
  return {
    browser,
    context,
    requests,
    offOrigin: () => requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith("data:")),
    close: () => browser.close(),
  };
}
