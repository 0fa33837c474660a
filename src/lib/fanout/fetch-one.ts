import { discard, MAX_BODY_BYTES, readCapped } from "./body.ts";
import { type FetchFailure, failure } from "./failure.ts";

/**
 * Judges a redirect target before it is requested: undefined lets it through, a failure refuses the hop
 * (the URL ends with that error), and `"skip"` ends the URL at the redirect without requesting the target
 * and without an error, the target reported as the outcome's `skipped`.
 */
export type HopCheck = (url: URL) => FetchFailure | "skip" | undefined;

export interface FetchOneOptions {
  method?: "GET" | "HEAD";
  /** Deadline of each subrequest (every redirect hop gets its own), covering headers and body. */
  timeoutMs: number;
  checkHop: HopCheck;
  /** Claims one subrequest from the budget; false means none is left. */
  takeSubrequest: () => boolean;
  /** The `accept` header; default any type. The crawler asks for HTML, since some servers negotiate. */
  accept?: string;
  /** Whether the final answer's body is wanted; by default a GET's is. Unwanted bodies are cancelled unread. */
  wantBody?: (response: Response) => boolean;
  /**
   * Reads a wanted body itself, as a stream, instead of buffering up to `MAX_BODY_BYTES` (sitemaps, which may be
   * compressed and are read only up to a cap). It holds the slot and the deadline while it reads; whatever it
   * leaves unread is cancelled. A throw ends the URL as a transport failure.
   */
  readBody?: (body: ReadableStream<Uint8Array>, response: Response) => Promise<void>;
  /** Resolves when the next subrequest may go (robots.txt `Crawl-delay`); awaited before each hop. */
  pace?: () => Promise<void>;
  /** Aborts every subrequest, e.g. when the client of a streamed answer goes away. */
  signal?: AbortSignal;
}

/** What one URL gave: where it ended after redirects, its answer, and at most `MAX_BODY_BYTES` of body. */
export interface FetchOutcome {
  url: URL;
  redirects: number;
  status?: number;
  headers?: Headers;
  body?: Uint8Array;
  bytes?: number;
  error?: FetchFailure;
  /** A redirect target left unrequested because the hop check answered `"skip"`; `status` is the redirect's. */
  skipped?: URL;
}

/**
 * The most redirects followed for one URL; a sixth redirect in a row ends it with `too_many_redirects`.
 *
 * @example
 * ```ts
 * if (outcome.redirects === MAX_REDIRECTS) console.log("the redirect budget was used up");
 * ```
 */
export const MAX_REDIRECTS = 5;

/**
 * Sent with every subrequest; its product token is the name robots.txt groups are matched against.
 *
 * @example
 * ```ts
 * robots.isAllowed(url.href, USER_AGENT); // obeys `User-agent: edge-async-patterns`, else `*`
 * ```
 */
export const USER_AGENT = "edge-async-patterns/0.1";

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches one URL the careful way: redirects followed by hand (at most five, each target passed through
 * `checkHop` before it is requested), an `AbortSignal.timeout` per subrequest, at most 2 MiB of body read
 * from the stream before the rest is cancelled, and every body nobody reads cancelled so its connection is
 * freed. Failures come back in `error`; this never throws.
 *
 * @example
 * ```ts
 * const outcome = await fetchOne(new URL("https://example.com/"), {
 *   timeoutMs: 5000,
 *   checkHop: guardHop({ production: true }),
 *   takeSubrequest: () => budget.take(),
 * });
 * outcome.error ?? new TextDecoder().decode(outcome.body);
 * ```
 */
export async function fetchOne(start: URL, options: FetchOneOptions): Promise<FetchOutcome> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    const sent = await send(url, options);
    if ("code" in sent) return { url, redirects, error: sent };
    const { response, timeout } = sent;
    const next = redirectTarget(response, url);
    if (next === undefined) return finish({ url, redirects, response, timeout }, options);
    await discard(response);
    const answer = { url, redirects, status: response.status, headers: response.headers };
    if (next === null) {
      return {
        ...answer,
        error: failure("invalid_redirect", "The redirect's Location header is not a URL."),
      };
    }
    if (redirects === MAX_REDIRECTS) {
      return { ...answer, error: failure("too_many_redirects", `Stopped after ${MAX_REDIRECTS} redirects.`) };
    }
    const verdict = options.checkHop(next);
    if (verdict === "skip") return { ...answer, skipped: next };
    if (verdict) return { ...answer, error: verdict };
    url = next;
  }
}

interface Sent {
  response: Response;
  timeout: AbortSignal;
}

async function send(url: URL, options: FetchOneOptions): Promise<Sent | FetchFailure> {
  await options.pace?.();
  if (!options.takeSubrequest()) {
    return failure("subrequest_budget", "Not fetched: this request's subrequest budget is spent.");
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await fetch(url, {
      method: options.method ?? "GET",
      redirect: "manual",
      signal,
      headers: { "user-agent": USER_AGENT, accept: options.accept ?? "*/*" },
    });
    return { response, timeout };
  } catch (error) {
    return transportFailure(error, timeout, options);
  }
}

// undefined: not a redirect (a 3xx without Location is an answer); null: a redirect whose target is unusable.
function redirectTarget(response: Response, from: URL): URL | null | undefined {
  const location = response.headers.get("location");
  if (!redirectStatuses.has(response.status) || location === null) return undefined;
  try {
    return new URL(location, from);
  } catch {
    return null;
  }
}

async function finish(
  { url, redirects, response, timeout }: Sent & { url: URL; redirects: number },
  options: FetchOneOptions,
): Promise<FetchOutcome> {
  const answer = { url, redirects, status: response.status, headers: response.headers };
  if (response.status >= 500) {
    await discard(response);
    return { ...answer, error: serverFailure(response.status) };
  }
  const wanted = options.wantBody ? options.wantBody(response) : (options.method ?? "GET") === "GET";
  if (!wanted) {
    await discard(response);
    return answer;
  }
  if (options.readBody && response.body) {
    try {
      await options.readBody(response.body, response);
      return answer;
    } catch (error) {
      return { ...answer, error: transportFailure(error, timeout, options) };
    } finally {
      await discard(response);
    }
  }
  // A declared size over the cap is refused before a single byte is read.
  if (Number(response.headers.get("content-length")) > MAX_BODY_BYTES) {
    await discard(response);
    return { ...answer, error: tooLarge() };
  }
  try {
    const body = await readCapped(response.body, MAX_BODY_BYTES);
    if (!body) return { ...answer, error: tooLarge() };
    return { ...answer, body, bytes: body.byteLength };
  } catch (error) {
    return { ...answer, error: transportFailure(error, timeout, options) };
  }
}

function tooLarge(): FetchFailure {
  return failure(
    "too_large",
    `The body is larger than ${MAX_BODY_BYTES} bytes (2 MiB); the rest was not read.`,
  );
}

// Cloudflare answers 530 itself when it cannot resolve or reach the origin (errors 1016, 1033).
function serverFailure(status: number): FetchFailure {
  if (status === 530)
    return failure("unreachable", "Cloudflare could not resolve or reach the host (HTTP 530).");
  return failure("upstream_error", `The server answered HTTP ${status}.`);
}

// The runtime reports DNS failures and refused or reset connections alike, so they share one code.
function transportFailure(error: unknown, timeout: AbortSignal, options: FetchOneOptions): FetchFailure {
  if (timeout.aborted) return failure("timeout", `No complete answer within ${options.timeoutMs} ms.`);
  if (options.signal?.aborted) return failure("aborted", "Abandoned because the client went away.");
  const detail = error instanceof Error ? error.message : String(error);
  return failure(
    "unreachable",
    `The host could not be reached (DNS failure or refused connection): ${detail}`,
  );
}
