import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { setMetric } from "hono/timing";
import type { AppEnv } from "../../env.ts";
import { errorBody } from "../errors.ts";

/**
 * The media type of newline-delimited JSON: one JSON value a line.
 *
 * @example
 * ```ts
 * return c.body(stream, 200, { "content-type": NDJSON });
 * ```
 */
export const NDJSON = "application/x-ndjson";

/**
 * Adds the streamed alternative to a route's JSON content. The result is typed as open to any media type on
 * purpose: @hono/zod-openapi types only JSON and text answers, and with a literal `application/x-ndjson` key
 * it would refuse a handler that returns the stream as a plain `Response`.
 *
 * @example
 * ```ts
 * content: withNdjson({ "application/json": { schema: Report } }, "One JSON object a line."),
 * ```
 */
export function withNdjson<T extends object>(
  content: T,
  description: string,
): T & Record<string, { schema: z.ZodType }> {
  return { ...content, [NDJSON]: { schema: z.string().openapi({ description }) } };
}

/**
 * Whether the client asked for a streamed answer (`Accept: application/x-ndjson`, possibly among others
 * with a lower or no quality).
 *
 * @example
 * ```ts
 * if (wantsNdjson(c.req.header("accept"))) return streamResults(c);
 * ```
 */
export function wantsNdjson(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some(function acceptsNdjson(part) {
    const [type, ...params] = part.split(";").map((piece) => piece.trim().toLowerCase());
    return type === NDJSON && !params.some((param) => /^q=0(\.0*)?$/.test(param));
  });
}

/** A body that is written line by line while the client is already reading it. */
export interface NdjsonStream {
  readable: ReadableStream<Uint8Array>;
  /** Queues one value as one line; lines go out in the order they were written. */
  write(value: unknown): void;
  /** Ends the body once every queued line has gone out. */
  close(): Promise<void>;
  /** Aborted when the client stops reading, so the work feeding the stream can stop too. */
  signal: AbortSignal;
}

/**
 * Creates an NDJSON body on a TransformStream: hand `readable` to the Response right away, then `write`
 * each result as it completes. Writes are not awaited one by one, so a slow reader never holds up the
 * fan-out; the stream keeps them in order.
 *
 * @example
 * ```ts
 * const out = createNdjsonStream();
 * run((result) => out.write(result)).finally(() => out.close());
 * return c.body(out.readable, 200, { "content-type": NDJSON });
 * ```
 */
function createNdjsonStream(): NdjsonStream {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const gone = new AbortController();
  const stop = () => gone.abort(new DOMException("The client stopped reading the stream.", "AbortError"));
  // Cancelling the readable side errors the writable one, which is how a disconnect shows up here.
  writer.closed.catch(stop);

  return {
    readable,
    write(value) {
      writer.write(encoder.encode(`${JSON.stringify(value)}\n`)).catch(stop);
    },
    close() {
      return writer.close().catch(stop);
    },
    signal: gone.signal,
  };
}

/**
 * Answers 200 with an NDJSON body at once and lets `produce` fill it: `produce` writes a line per result and
 * resolves with the summary, which becomes the last line. A failure after the headers are gone can no
 * longer change the status, so it becomes a last `{"type": "error", ...}` line in the API.md error shape.
 * The `fetch` Server-Timing entry can only say the fan-out was streamed; its timings are in the summary.
 *
 * @example
 * ```ts
 * return ndjsonResponse(c, async (out) => {
 *   await Promise.all(urls.map(async (url) => out.write(await check(url))));
 *   return { type: "summary", done: urls.length };
 * });
 * ```
 */
export function ndjsonResponse(
  c: Context<AppEnv>,
  produce: (out: NdjsonStream) => Promise<unknown>,
): Response {
  const out = createNdjsonStream();
  const requestId = c.get("requestId") ?? "unknown";
  setMetric(c, "fetch", "streamed; timings in the summary line");
  produce(out)
    .then(out.write, function reportFailure(error: unknown) {
      const stack = error instanceof Error ? error.stack : undefined;
      console.error(JSON.stringify({ requestId, error: String(error), stack }));
      const message = "The stream failed on our side; the request id helps us find it.";
      out.write({ type: "error", ...errorBody("internal_error", message, requestId) });
    })
    .finally(out.close);
  return c.body(out.readable, 200, { "content-type": NDJSON });
}
