/**
 * The one spelling of a URL the crawler compares and stores, so the same page found through different
 * spellings is fetched once. WHATWG parsing already lowercases the scheme and host, drops default ports
 * (`:80` for http, `:443` for https), resolves `.` and `..` segments and canonicalises IP addresses; on top
 * of that this drops the fragment (never sent to the server), drops an empty `?`, and uppercases
 * percent-escapes (`%7e` and `%7E` are the same byte).
 *
 * Trailing-slash policy: kept as written. `/docs` and `/docs/` are different resources to HTTP and can
 * answer differently; a site that treats them as one redirects one to the other, and the crawler also marks
 * every redirect target as seen, so such a page is still fetched only once.
 * Query parameter order is kept too, since servers may read it.
 *
 * Returns undefined for anything that does not parse as a URL.
 *
 * @example
 * ```ts
 * normalizeUrl("HTTP://Example.COM:80/a/./b/../c?#top")?.href; // "http://example.com/a/c"
 * normalizeUrl("docs/#intro", "https://example.com/site/")?.href; // "https://example.com/site/docs/"
 * ```
 */
export function normalizeUrl(input: string | URL, base?: string | URL): URL | undefined {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    return undefined;
  }
  url.hash = "";
  // The getter answers "" for both a missing and an empty query; assigning "" removes a dangling "?".
  if (url.search === "") url.search = "";
  url.pathname = upperEscapes(url.pathname);
  if (url.search) url.search = upperEscapes(url.search);
  return url;
}

function upperEscapes(part: string): string {
  return part.replace(/%[0-9a-f]{2}/gi, (percentEscape) => percentEscape.toUpperCase());
}
