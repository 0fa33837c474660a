/**
 * The most characters in one include or exclude glob.
 *
 * @example
 * ```ts
 * const Glob = v.pipe(v.string(), v.maxLength(GLOB_MAX_LENGTH));
 * ```
 */
export const GLOB_MAX_LENGTH = 200;

/**
 * Why a glob cannot be used, or undefined when it can. A glob is refused when empty, over
 * `GLOB_MAX_LENGTH`, holding whitespace or control characters (never part of a normalised URL, so such a
 * pattern could match nothing), or three stars in a row (neither `*` nor `**`, so its meaning is a guess).
 *
 * @example
 * ```ts
 * globProblem("/docs/***"); // "has three or more `*` in a row; use `*` or `**`"
 * ```
 */
export function globProblem(glob: string): string | undefined {
  if (glob.length === 0) return "is empty";
  if (glob.length > GLOB_MAX_LENGTH) return `is longer than ${GLOB_MAX_LENGTH} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
  if (/[\s\u0000-\u001f\u007f]/.test(glob)) return "contains whitespace or control characters";
  if (glob.includes("***")) return "has three or more `*` in a row; use `*` or `**`";
  return undefined;
}

/**
 * Compiles one URL glob to a matcher: `**` matches any characters, `*` any characters but `/`, and everything
 * else, `?` `[` `{` included, matches itself, since those are ordinary characters of a URL (`?` starts its
 * query). That is not the grammar of file-path glob libraries such as picomatch, where `?` is a wildcard,
 * brackets are classes and dots and slashes are treated specially, so their patterns would misread URLs; and
 * a RegExp built from a client's glob (`.*a.*a.*a…`) can backtrack for minutes on one crafted URL. So the
 * whole grammar, two wildcards, is matched here by stepping every live pattern position along the URL at
 * once: time is at most the URL's length × the glob's, with no backtracking.
 *
 * @example
 * ```ts
 * compileGlob("https://example.com/docs/*")("https://example.com/docs/intro"); // true
 * compileGlob("https://example.com/docs/*")("https://example.com/docs/a/b"); // false
 * ```
 */
export function compileGlob(glob: string): (text: string) => boolean {
  const tokens = glob
    .split(/(\*\*|\*)/)
    .flatMap((part) => (part === "*" || part === "**" ? [part] : [...part]));
  const end = tokens.length;
  // Adds `i` and, past any wildcard (which may match nothing), the positions after it.
  function enter(live: Uint8Array, i: number) {
    for (let at = i; at <= end && !live[at]; at++) {
      live[at] = 1;
      const token = tokens[at];
      if (token !== "*" && token !== "**") return;
    }
  }
  return function matchesGlob(text) {
    let live = new Uint8Array(end + 1);
    enter(live, 0);
    for (const char of text) {
      const next = new Uint8Array(end + 1);
      let any = false;
      for (let at = 0; at < end; at++) {
        if (!live[at]) continue;
        const token = tokens[at];
        if (token === "**" || (token === "*" && char !== "/")) enter(next, at);
        else if (token === char) enter(next, at + 1);
        else continue;
        any = true;
      }
      if (!any) return false;
      live = next;
    }
    return live[end] === 1;
  };
}

/** Which URLs a crawl may visit besides its start URL. */
export interface UrlPatterns {
  /** Whether `url` passes: it matches an include glob (or there are none) and no exclude glob. */
  admits(url: URL): boolean;
}

/**
 * Builds the include/exclude test. A glob starting with `/` is matched against the URL's path and query
 * (`/docs/**`), any other against the whole normalised URL (`https://example.com/docs/**`). Exclude wins
 * over include. Globs are assumed checked with `globProblem` already.
 *
 * @example
 * ```ts
 * const patterns = compilePatterns({ include: ["/docs/**"], exclude: ["/docs/old/**"] });
 * patterns.admits(new URL("https://example.com/docs/new/a")); // true
 * patterns.admits(new URL("https://example.com/docs/old/a")); // false
 * ```
 */
export function compilePatterns({
  include = [],
  exclude = [],
}: {
  include?: readonly string[];
  exclude?: readonly string[];
}): UrlPatterns {
  const compile = (glob: string) => {
    const matches = compileGlob(glob);
    return glob.startsWith("/")
      ? (url: URL) => matches(`${url.pathname}${url.search}`)
      : (url: URL) => matches(url.href);
  };
  const included = include.map(compile);
  const excluded = exclude.map(compile);
  return {
    admits(url) {
      if (excluded.some((matches) => matches(url))) return false;
      return included.length === 0 || included.some((matches) => matches(url));
    },
  };
}
