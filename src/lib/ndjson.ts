import type { Context } from "hono";
import { accepts } from "hono/accepts";
import { stream } from "hono/streaming";
import { setMetric } from "hono/timing";
import * as v from "valibot";
import type { AppEnv } from "../env.ts";
import { errorBody } from "./errors.ts";
import type { ResponseDoc } from "./openapi.ts";

/** The media type of newline-delimited JSON: one JSON value a line. */
export const NDJSON = "application/x-ndjson";

/**
 * Whether the client prefers a streamed answer: `application/x-ndjson` ranks above `application/json` in its
 * `Accept` header (by quality, as Hono's accepts helper reads it). A wildcard or no header means JSON.
 *
 * @example
 * ```ts
 * if (prefersNdjson(c)) return streamNdjson(c, async (out) => ({ done: true }));
 * ```
 */
export function prefersNdjson(c: Context): boolean {
  return (
    accepts(c, { header: "Accept", supports: ["application/json", NDJSON], default: "application/json" }) ===
    NDJSON
  );
}

/** Where a streamed answer's lines go while the client is already reading. */
export interface NdjsonWriter {
  /** Queues one value as one line; lines go out in the order they were written. */
  write(value: unknown): void;
  /** Aborted when the client stops reading, so the work feeding the stream can stop too. */
  signal: AbortSignal;
}

/**
 * Answers 200 with an NDJSON body at once (Hono's `stream`) and lets `produce` fill it: `produce` writes a line
 * per result and resolves with the summary, which becomes the last line. Lines are queued, not awaited one by one,
 * so a slow reader never holds up the fan-out. A failure after the headers are gone can no longer change the
 * status, so it becomes a last `{"type": "error", ...}` line in the API's error shape.
 *
 * @example
 * ```ts
 * return streamNdjson(c, async (out) => {
 *   out.write({ type: "result", ok: true });
 *   return { type: "summary", done: 1 };
 * });
 * ```
 */
export function streamNdjson(c: Context<AppEnv>, produce: (out: NdjsonWriter) => Promise<unknown>): Response {
  const requestId = c.get("requestId") ?? "unknown";
  // The Server-Timing entry can only say the work was streamed; its timings are in the summary line.
  setMetric(c, "fetch", "streamed; timings in the summary line");
  c.header("content-type", NDJSON);
  return stream(
    c,
    async function streamLines(body) {
      const gone = new AbortController();
      body.onAbort(() =>
        gone.abort(new DOMException("The client stopped reading the stream.", "AbortError")),
      );
      const write = (value: unknown) => void body.write(`${JSON.stringify(value)}\n`);
      write(await produce({ write, signal: gone.signal }));
    },
    async function reportFailure(error, body) {
      console.error(JSON.stringify({ requestId, error: String(error), stack: error.stack }));
      const message = "The stream failed on our side; the request id helps us find it.";
      await body.write(
        `${JSON.stringify({ type: "error", ...errorBody("internal_error", message, requestId) })}\n`,
      );
    },
  );
}

/**
 * Adds the streamed alternative to a JSON response's documentation.
 *
 * @example
 * ```ts
 * const ok = withNdjson(jsonResponse(CrawlReportSchema, "The pages"), "A `page` line per page, then the `summary`.");
 * ```
 */
export function withNdjson(response: ResponseDoc, description: string): ResponseDoc {
  return { ...response, content: { ...response.content, [NDJSON]: { schema: v.string(), description } } };
}
