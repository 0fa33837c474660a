import * as z from "zod/mini";
import { doc, int, named } from "./doc.ts";
import { FetchFailureSchema } from "./errors.ts";

export const FetchRequestSchema = named(
  "FetchRequest",
  z.object({
    urls: doc(
      z.array(z.string().check(z.minLength(1), z.maxLength(2048))).check(z.minLength(1), z.maxLength(50)),
      {
        example: ["https://example.com/", "https://example.org/"],
      },
    ),
    method: z._default(z.enum(["GET", "HEAD"]), "GET"),
    timeoutMs: doc(z._default(int(100, 30_000), 5000), {
      description: "Deadline of each subrequest (each redirect hop has its own), headers and body included.",
    }),
    concurrency: doc(z._default(int(1, 6), 6), {
      description: "Most subrequests in flight at once; 6 is the Workers per-request connection limit.",
    }),
  }),
);

export const FetchResultSchema = named(
  "FetchResult",
  z.object({
    url: doc(z.string(), { description: "The URL as sent." }),
    ok: doc(z.boolean(), { description: "A 2xx answer with no error." }),
    status: z.optional(z.int()),
    finalUrl: doc(z.optional(z.string()), { description: "Where redirects ended, when there were any." }),
    headers: doc(z.optional(z.record(z.string(), z.string())), {
      description:
        "Selected response headers: content-type, content-length, server, etag, cache-control, ...",
    }),
    bytes: doc(z.optional(z.int()), { description: "Body size read (GET only)." }),
    ms: z.number(),
    startMs: doc(z.number(), { description: "When it got its slot, in ms since the fan-out began." }),
    endMs: z.number(),
    error: z.optional(FetchFailureSchema),
  }),
);

export const FetchReportSchema = named(
  "FetchReport",
  z.object({
    results: z.array(FetchResultSchema),
    elapsedMs: doc(z.number(), { description: "Wall time of the whole fan-out." }),
    sumMs: doc(z.number(), { description: "What the same requests would take one after another." }),
    speedup: doc(z.number(), { description: "sumMs / elapsedMs." }),
    maxInFlight: z.int(),
    subrequests: doc(z.int(), { description: "Subrequests made, redirect hops included." }),
  }),
);

export type FetchResult = z.infer<typeof FetchResultSchema>;
export type FetchReport = z.infer<typeof FetchReportSchema>;
