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
 * `<title>`. Links resolve against the base element when there is one, wherever it sits in the document,
 * as browsers do; `javascript:`, `mailto:` and other non-http(s) links are dropped.
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
        baseHref ??= element.getAttribute("href") ?? undefined;
      },
    })
    .on("a[href]", {
      element(element) {
        const href = element.getAttribute("href");
        if (href !== null) hrefs.push(href);
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
  const cleanTitle = decodeEntities(title).replace(/\s+/g, " ").trim().slice(0, TITLE_MAX);
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
    const url = normalizeUrl(href.trim(), base);
    if (url && isWeb(url) && !byHref.has(url.href)) byHref.set(url.href, url);
  }
  return [...byHref.values()];
}

function isWeb(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:";
}

const namedEntities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

// HTMLRewriter hands over text as written in the source, entities and all.
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, function decode(entity, name: string) {
    if (name[0] !== "#") return namedEntities[name.toLowerCase()] ?? entity;
    const code =
      name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}
