import ipaddr from "ipaddr.js";
import { ApiError } from "../errors.ts";
import { failure } from "./failure.ts";
import type { HopCheck } from "./fetch-one.ts";

/** How strict the guard is: production refuses loopback too; development allows it for local test sites. */
export interface GuardOptions {
  production: boolean;
}

/** The guard's answer: the parsed URL, or why it may not be fetched (a clause that reads after "refused: "). */
export type GuardResult = { ok: true; url: URL } | { ok: false; reason: string };

// Suffixes that only resolve inside a private network (RFC 6762 .local, RFC 6761 .localhost, ICANN's .internal,
// home.arpa of RFC 8375) or by common habit (.lan, .localdomain, .corp, .home, .intranet).
const internalSuffixes = ["local", "internal", "lan", "localdomain", "home.arpa", "corp", "home", "intranet"];

// Cloud metadata services reachable by name; their addresses are caught by the range checks below.
const metadataNames = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data"]);

/**
 * Decides whether the Worker may send a request to `target`: only `http:`/`https:`, no credentials, and no
 * address or name that leads into a private network. Runs on the URL as WHATWG parsing left it, so decimal,
 * octal and hex IPv4 forms (`http://2130706433/`, `http://0x7f.1/`) arrive here as `127.0.0.1` and are judged
 * like it. In development loopback (`127.0.0.0/8`, `::1`, `localhost`) is allowed so local test sites work;
 * every other range stays refused, so development behaves like production everywhere else.
 *
 * It judges the name, not what DNS answers for it: a public name that resolves to a private address is not
 * caught here (Workers have no DNS API); Cloudflare's own network does not route such requests inward.
 *
 * @example
 * ```ts
 * checkTarget("http://169.254.169.254/latest/meta-data/", { production: true });
 * // { ok: false, reason: "it points at a link-local address (169.254.169.254)" }
 * ```
 */
export function checkTarget(target: string | URL, options: GuardOptions): GuardResult {
  const url = parseUrl(target);
  if (!url) return { ok: false, reason: "it is not an absolute URL" };
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, reason: `only http: and https: URLs may be fetched, not ${url.protocol}` };
  }
  if (url.username || url.password) return { ok: false, reason: "URLs with credentials are not fetched" };
  const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.+$/, "");
  const reason = ipaddr.isValid(host) ? refuseAddress(host, options) : refuseName(host, options);
  return reason ? { ok: false, reason } : { ok: true, url };
}

/**
 * The guard for a URL the client sent: the parsed URL, or a 400 `invalid_request` naming the field. The
 * message leaves the URL itself out, since a refused one may carry credentials.
 *
 * @example
 * ```ts
 * const start = requireTarget(query.url, "Query parameter `url`", { production: isProduction(c.env) });
 * ```
 */
export function requireTarget(raw: string, field: string, options: GuardOptions): URL {
  const verdict = checkTarget(raw, options);
  if (verdict.ok) return verdict.url;
  throw new ApiError("invalid_request", `${field} is refused: ${verdict.reason}.`);
}

/**
 * The guard as a redirect-hop check for `fetchOne`: a hop the guard refuses ends that URL with a
 * `refused_target` error instead of being requested.
 *
 * @example
 * ```ts
 * await fetchOne(url, { timeoutMs: 5000, checkHop: guardHop({ production: true }), takeSubrequest });
 * ```
 */
export function guardHop(options: GuardOptions): HopCheck {
  return function checkHopTarget(url) {
    const verdict = checkTarget(url, options);
    return verdict.ok ? undefined : failure("refused_target", `Redirect refused: ${verdict.reason}.`);
  };
}

function parseUrl(target: string | URL): URL | undefined {
  if (target instanceof URL) return target;
  try {
    return new URL(target);
  } catch {
    return undefined;
  }
}

function refuseName(host: string, { production }: GuardOptions): string | undefined {
  if (host === "localhost" || host.endsWith(".localhost")) {
    return production ? `it names the local machine (${host})` : undefined;
  }
  if (metadataNames.has(host)) return `it names a cloud metadata service (${host})`;
  if (!host.includes("."))
    return `it is a single-label name (${host}) that only resolves on a private network`;
  const suffix = internalSuffixes.find((s) => host.endsWith(`.${s}`));
  if (suffix) return `it is an internal name (*.${suffix})`;
  return undefined;
}

function refuseAddress(host: string, options: GuardOptions): string | undefined {
  const address = ipaddr.parse(host);
  return address instanceof ipaddr.IPv4
    ? refuseIPv4(address, host, options)
    : refuseIPv6(address, host, options);
}

const ipv4RangeNames: Record<string, string> = {
  unspecified: "an unspecified (0.0.0.0/8)",
  broadcast: "the broadcast",
  multicast: "a multicast",
  linkLocal: "a link-local",
  loopback: "a loopback",
  carrierGradeNat: "a carrier-grade NAT (100.64.0.0/10)",
  private: "a private",
};

// Only global unicast is fetched; every special-purpose range (RFC 6890) is refused, named when it has a name.
function refuseIPv4(address: ipaddr.IPv4, shown: string, { production }: GuardOptions): string | undefined {
  const range = address.range();
  if (range === "unicast" || (range === "loopback" && !production)) return undefined;
  const name = ipv4RangeNames[range] ?? "a reserved";
  return `it points at ${name} address (${shown})`;
}

// IPv6 forms that carry an IPv4 address inside; the embedded one decides, so ::ffff:127.0.0.1 counts as loopback.
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const [, p1 = 0, p2 = 0, , , , p6 = 0, p7 = 0] = address.parts;
  const range = address.range();
  if (range === "ipv4Mapped" || range === "rfc6145") return fromWords(p6, p7);
  if (range === "rfc6052" && p1 === 0xff9b && p2 === 0) return fromWords(p6, p7); // NAT64 64:ff9b::/96
  if (range === "6to4") return fromWords(p1, p2);
  // The deprecated IPv4-compatible form ::a.b.c.d (RFC 4291 2.5.5.1), which ipaddr.js calls plain unicast.
  // `::` and `::1` share its prefix but are the unspecified and loopback addresses, judged as IPv6 below.
  const compatible = address.parts.slice(0, 6).every((part) => part === 0) && (p6 !== 0 || p7 > 1);
  if (compatible) return fromWords(p6, p7);
  return undefined;
}

function fromWords(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

const ipv6RangeNames: Record<string, string> = {
  unspecified: "the unspecified",
  linkLocal: "a link-local (fe80::/10)",
  multicast: "a multicast",
  loopback: "a loopback",
  uniqueLocal: "a unique-local (fc00::/7)",
  deprecatedSiteLocal: "a site-local (fec0::/10)",
  teredo: "a Teredo tunnel",
  rfc6052: "a local-use NAT64",
};

function refuseIPv6(address: ipaddr.IPv6, shown: string, options: GuardOptions): string | undefined {
  const inner = embeddedIPv4(address);
  if (inner) {
    const reason = refuseIPv4(inner, inner.toString(), options);
    return reason && `${reason}, embedded in ${shown}`;
  }
  const range = address.range();
  if (range === "unicast" || (range === "loopback" && !options.production)) return undefined;
  const name = ipv6RangeNames[range] ?? "a reserved";
  return `it points at ${name} address (${shown})`;
}
