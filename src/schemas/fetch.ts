import * as v from "valibot";
import { doc, int, integer, named } from "./doc.ts";
import { FetchFailureSchema } from "./errors.ts";

export const FetchRequestSchema = named(
  "FetchRequest",
  v.object({
    urls: doc(
      v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(2048))), v.minLength(1), v.maxLength(50)),
      {
        example: ["https://example.com/", "https://example.org/"],
      },
    ),
    method: v.optional(v.picklist(["GET", "HEAD"]), "GET"),
    timeoutMs: doc(v.optional(int(100, 30_000), 5000), {
      description: "Deadline of each subrequest (each redirect hop has its own), headers and body included.",
    }),
    concurrency: doc(v.optional(int(1, 6), 6), {
      description: "Most subrequests in flight at once; 6 is the Workers per-request connection limit.",
    }),
  }),
);

export const FetchResultSchema = named(
  "FetchResult",
  v.object({
    url: doc(v.string(), { description: "The URL as sent." }),
    ok: doc(v.boolean(), { description: "A 2xx answer with no error." }),
    status: v.optional(integer()),
    finalUrl: doc(v.optional(v.string()), { description: "Where redirects ended, when there were any." }),
    headers: doc(v.optional(v.record(v.string(), v.string())), {
      description:
        "Selected response headers: content-type, content-length, server, etag, cache-control, ...",
    }),
    bytes: doc(v.optional(integer()), { description: "Body size read (GET only)." }),
    ms: v.number(),
    startMs: doc(v.number(), { description: "When it got its slot, in ms since the fan-out began." }),
    endMs: v.number(),
    error: v.optional(FetchFailureSchema),
  }),
);

export const FetchReportSchema = named(
  "FetchReport",
  v.object({
    results: v.array(FetchResultSchema),
    elapsedMs: doc(v.number(), { description: "Wall time of the whole fan-out." }),
    sumMs: doc(v.number(), { description: "What the same requests would take one after another." }),
    speedup: doc(v.number(), { description: "sumMs / elapsedMs." }),
    maxInFlight: integer(),
    subrequests: doc(integer(), { description: "Subrequests made, redirect hops included." }),
  }),
);

export type FetchResult = v.InferOutput<typeof FetchResultSchema>;
export type FetchReport = v.InferOutput<typeof FetchReportSchema>;
