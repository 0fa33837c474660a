import { decodeXML } from "entities/decode";
import { MAX_BODY_BYTES } from "./body.ts";
import type { Fanout } from "./engine.ts";
import { failure } from "./failure.ts";
import type { HopCheck } from "./fetch-one.ts";
import { normalizeUrl } from "./normalize.ts";
import type { RobotsRules } from "./robots.ts";
import { checkTarget, guardHop } from "./target-guard.ts";

/**
 * The most sitemap files one crawl reads, indexes included.
 *
 * @example
 * ```ts
 * if (stats.read + stats.errors >= SITEMAP_FILES_MAX) return;
 * ```
 */
export const SITEMAP_FILES_MAX = 20;

/**
 * The most `<loc>` entries one crawl reads from sitemaps, in all: the protocol's own limit for one file.
 *
 * @example
 * ```ts
 * const maxUrls = Math.min(SITEMAP_URLS_MAX, 4 * maxPages);
 * ```
 */
export const SITEMAP_URLS_MAX = 50_000;

/** What reading a site's sitemaps came to. */
export interface SitemapStats {
  /** Sitemap files (and indexes) read without error. */
  read: number;
  /** `<loc>` entries of page sitemaps read, whether or not the crawl then kept them. */
  urls: number;
  /** Files that failed: unreachable, 4xx/5xx, too large, not a sitemap, broken gzip, or entity references. */
  errors: number;
  /** Whether the `<loc>` cap stopped the reading. */
  truncated: boolean;
}

export interface SitemapOptions {
  fanout: Fanout;
  /** The crawl's origin; sitemap files and entries elsewhere are ignored. */
  origin: string;
  robots: RobotsRules;
  production: boolean;
  /** Most `<loc>` entries to read, at most `SITEMAP_URLS_MAX`. */
  maxUrls: number;
  pace?: () => Promise<void>;
  /** Receives each entry on the origin, normalised, in file order, while the file is still being read. */
  onUrl(url: URL): void;
  /** Whether the crawl needs no more entries; checked before each file and after each entry. */
  enough?: () => boolean;
}

/**
 * Reads the sitemaps of a site, one file at a time: those named by robots.txt `Sitemap:` lines, else
 * `/sitemap.xml`; indexes are followed, breadth-first, up to `SITEMAP_FILES_MAX` files. Each body is streamed
 * (gunzipped with `DecompressionStream` when it starts with the gzip magic bytes) through HTMLRewriter, which
 * scans `<loc>` text as it arrives: it has no DTD support, so an entity declaration expands nothing, and an
 * entry using any reference but XML's five and numeric ones makes the file an error. At most 2 MiB of XML
 * is read from one file (past it the file counts as an error, its entries so far kept) and reading stops at
 * `maxUrls` entries, so a sitemap of a million URLs costs what its first `maxUrls` cost. Never throws.
 *
 * @example
 * ```ts
 * const stats = await readSitemaps({ fanout, origin, robots, production, maxUrls: 800, onUrl: queue });
 * ```
 */
export async function readSitemaps(options: SitemapOptions): Promise<SitemapStats> {
  const stats: SitemapStats = { read: 0, urls: 0, errors: 0, truncated: false };
  const named = options.robots.sitemaps.map((line) => normalizeUrl(line, options.origin));
  const fallback = named.length === 0;
  const files = fallback ? [new URL("/sitemap.xml", options.origin)] : named;
  const seen = new Set<string>();
  const more = () => !stats.truncated && !options.enough?.();
  for (let i = 0; i < files.length && seen.size < SITEMAP_FILES_MAX && more(); i++) {
    const file = files[i];
    if (!file || seen.has(file.href)) continue;
    seen.add(file.href);
    if (!onOrigin(file, options)) {
      stats.errors++;
      continue;
    }
    const result = await readOne(file, options, stats);
    // A site without sitemaps answers 404 for the conventional address: nothing to read, not a failure.
    if (result === "absent" && fallback) continue;
    if (result === "absent" || result === "error") stats.errors++;
    else stats.read++;
    if (Array.isArray(result)) files.push(...result);
  }
  return stats;
}

function onOrigin(url: URL, { origin, production }: SitemapOptions): boolean {
  return url.origin === origin && checkTarget(url, { production }).ok;
}

type FileResult = "absent" | "error" | "urlset" | URL[];

async function readOne(file: URL, options: SitemapOptions, stats: SitemapStats): Promise<FileResult> {
  const scan: Scan = { failed: false, closed: false, children: [] };
  const outcome = await options.fanout.fetch(file, {
    checkHop: sitemapHop(options),
    accept: "application/xml,text/xml;q=0.9,*/*;q=0.1",
    wantBody: (response) => response.ok,
    readBody: (body) => scanLocs(body, { file, options, stats, scan }),
    pace: options.pace,
  });
  if (outcome.error || scan.failed) return "error";
  const status = outcome.status ?? 0;
  if (status === 404 || status === 410) return "absent";
  if (status < 200 || status >= 300 || !scan.kind) return "error";
  return scan.kind === "index" ? scan.children : "urlset";
}

function sitemapHop(options: SitemapOptions): HopCheck {
  const guard = guardHop({ production: options.production });
  return function checkSitemapHop(url) {
    if (url.origin !== options.origin) {
      return failure("off_origin", `The sitemap redirects off ${options.origin}.`);
    }
    return guard(url);
  };
}

const LOC_MAX = 4096;
// XML's own five references and numeric ones; anything else names an entity a DTD would have to define.
const unknownReference = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-f]{1,6});)/i;

/** What scanning one file found. */
interface Scan {
  /** The root element: a sitemap index or a page sitemap; undefined when the file is neither. */
  kind?: "index" | "urlset";
  /** Whether the root element's end tag was read (a file without it was cut off). */
  closed: boolean;
  failed: boolean;
  /** An index's sitemap files. */
  children: URL[];
}

interface ScanContext {
  file: URL;
  options: SitemapOptions;
  stats: SitemapStats;
  scan: Scan;
}

// Streams one body through HTMLRewriter, collecting the text of each `<loc>` as it passes.
async function scanLocs(body: ReadableStream<Uint8Array>, context: ScanContext): Promise<void> {
  const { scan } = context;
  const stop = new AbortController();
  const tooLarge = () => {
    scan.failed = true;
    stop.abort();
  };
  let text = "";
  const root = (kind: Scan["kind"]) => (element: Element) => {
    if (scan.kind) return;
    scan.kind = kind;
    element.onEndTag(() => {
      scan.closed = true;
    });
  };
  const rewriter = new HTMLRewriter()
    .on("sitemapindex", { element: root("index") })
    .on("urlset", { element: root("urlset") })
    .on("loc", {
      element(element) {
        text = "";
        element.onEndTag(() => entry(text, stop, context));
      },
      text(chunk) {
        if (text.length <= LOC_MAX) text += chunk.text;
      },
    });
  const xml = (await gunzipIfCompressed(body)).pipeThrough(capBytes(MAX_BODY_BYTES, stop.signal, tooLarge));
  const response = new Response(xml, { headers: { "content-type": "text/html; charset=utf-8" } });
  try {
    await rewriter.transform(response).arrayBuffer();
  } catch {
    // Broken gzip or a connection cut: the entries read so far stay queued, the file counts as failed.
    scan.failed = true;
  }
  // A file cut off before its root element closes is truncated, unless the cap is what stopped it.
  if (scan.kind && !scan.closed && !stop.signal.aborted) scan.failed = true;
}

function entry(text: string, stop: AbortController, { file, options, stats, scan }: ScanContext): void {
  const raw = text.trim();
  if (raw === "") return;
  if (raw.length > LOC_MAX || unknownReference.test(raw)) {
    scan.failed = true;
    return;
  }
  const url = normalizeUrl(decodeXML(raw), file);
  if (!url || stop.signal.aborted) return;
  if (scan.kind === "index") {
    if (scan.children.length < SITEMAP_FILES_MAX) scan.children.push(url);
    return;
  }
  stats.urls++;
  if (onOrigin(url, options)) options.onUrl(url);
  if (stats.urls >= options.maxUrls) stats.truncated = true;
  if (stats.truncated || options.enough?.()) stop.abort();
}

async function gunzipIfCompressed(body: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader();
  const first = await reader.read();
  const head = first.value ?? new Uint8Array();
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.byteLength > 0) controller.enqueue(head);
      if (first.done) controller.close();
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  return gzipped ? rest.pipeThrough(new DecompressionStream("gzip")) : rest;
}

// Passes at most `limit` bytes, then ends the stream early, as it does once `stop` is aborted. Ending it
// cleanly rather than erroring it keeps the failure out of the pipes, which would report it as unhandled.
function capBytes(
  limit: number,
  stop: AbortSignal,
  onTooLarge: () => void,
): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      if (stop.aborted) return controller.terminate();
      seen += chunk.byteLength;
      if (seen > limit) {
        onTooLarge();
        return controller.terminate();
      }
      controller.enqueue(chunk);
    },
  });
}
