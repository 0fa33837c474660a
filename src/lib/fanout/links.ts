import { decodeHTML, decodeHTMLAttribute } from "entities/decode";
import { normalizeUrl } from "./normalize.ts";

/** What a page offers the crawler: its title and every http(s) link, absolute and normalised, once each. */
export interface PageLinks {
  title?: string;
  links: URL[];
}

const TITLE_MAX = 300;

/**
 * Whether a Content-Type is HTML, the only kind the crawler parses. Anything else (JSON, images, PDFs,
 * plain text that happens to contain `<a href>`) is fetched but never scanned for links.
 *
 * @example
 * ```ts
 * isHtml("text/html; charset=utf-8"); // true
 * isHtml("application/json"); // false
 * ```
 */
export function isHtml(contentType: string | null): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "text/html";
}

/**
 * Streams an HTML body through HTMLRewriter and collects `a[href]`, the first `<base href>` and the first
 * `<title>`, read as a browser reads them. HTMLRewriter hands over attribute values and text as written in
 * the source, so both go through the HTML standard's character-reference decoding (the `entities` package:
 * the attribute rules for `href`, where `&amp=` or `&copy1` stay literal, the text rules for the title).
 * Links resolve against the base element when there is one, wherever it sits in the document; a relative base
 * resolves against the page; the WHATWG URL parser then does what a browser's does (strips leading and
 * trailing spaces and controls, drops tabs and newlines, reads `//host/path` as protocol-relative).
 * `javascript:`, `mailto:` and other non-http(s) links are dropped.
 *
 * @example
 * ```ts
 * const { title, links } = await extractLinks(bytes, new URL("https://example.com/docs/"), "text/html");
 * links.map((link) => link.href); // ["https://example.com/docs/intro", ...]
 * ```
 */
export async function extractLinks(body: Uint8Array, pageUrl: URL, contentType: string): Promise<PageLinks> {
  const hrefs: string[] = [];
  let baseHref: string | undefined;
  let titles = 0;
  let title = "";
  const rewriter = new HTMLRewriter()
    .on("base[href]", {
      element(element) {
        baseHref ??= decodeAttribute(element.getAttribute("href"));
      },
    })
    .on("a[href]", {
      element(element) {
        const href = decodeAttribute(element.getAttribute("href"));
        if (href !== undefined) hrefs.push(href);
      },
    })
    .on("title", {
      element() {
        titles++;
      },
      text(chunk) {
        if (titles === 1) title += chunk.text;
      },
    });
  // The handlers only run as the transformed body is consumed.
  await rewriter.transform(new Response(body, { headers: { "content-type": contentType } })).arrayBuffer();
  const base = resolveBase(baseHref, pageUrl);
  // As `document.title`: ASCII whitespace stripped and collapsed; a decoded no-break space stays.
  const cleanTitle = decodeHTML(title)
    .replace(/[\t\n\f\r ]+/g, " ")
    .replace(/^ | $/g, "")
    .slice(0, TITLE_MAX);
  return { ...(cleanTitle ? { title: cleanTitle } : {}), links: resolveLinks(hrefs, base) };
}

// A base element only counts when it is itself an http(s) URL; otherwise links resolve against the page.
function resolveBase(href: string | undefined, pageUrl: URL): URL {
  const base = href === undefined ? undefined : normalizeUrl(href, pageUrl);
  return base && isWeb(base) ? base : pageUrl;
}

function resolveLinks(hrefs: string[], base: URL): URL[] {
  const byHref = new Map<string, URL>();
  for (const href of hrefs) {
    const url = normalizeUrl(href, base);
    if (url && isWeb(url) && !byHref.has(url.href)) byHref.set(url.href, url);
  }
  return [...byHref.values()];
}

function isWeb(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:";
}

function decodeAttribute(value: string | null): string | undefined {
  return value === null ? undefined : decodeHTMLAttribute(value);
}
