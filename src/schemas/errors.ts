import * as z from "zod/mini";
import { failureCodes } from "../lib/fanout/failure.ts";
import { doc, named } from "./doc.ts";

/** The one error body every failure uses: `{error: {code, message, requestId}}`. */
export const ErrorSchema = named(
  "Error",
  z.object({
    error: z.object({
      code: doc(z.string(), { example: "invalid_request" }),
      message: doc(z.string(), { example: "Query parameter `ms`: too big: expected number to be <=10000." }),
      requestId: z.string(),
    }),
  }),
);

export type ErrorBody = z.infer<typeof ErrorSchema>;

/** A backend's failure inside a fan-out answer (`/redis/fanout`, `/sql/fanout`): the API's code and sentence. */
export const BackendFailureSchema = named(
  "BackendFailure",
  z.object({ code: z.string(), message: z.string() }),
);

export type BackendFailure = z.infer<typeof BackendFailureSchema>;

/** Why one URL of /fetch or /crawl produced no usable answer. */
export const FetchFailureSchema = named(
  "FetchFailure",
  z.object({
    code: doc(z.enum(failureCodes), {
      description:
        "`unreachable`: DNS failure or refused connection (the runtime does not tell them apart); " +
        "`upstream_error`: a 5xx; `too_large`: over 2 MiB; `refused_target`: a redirect the target guard " +
        "refused; `off_origin` / `disallowed_by_robots`: a crawl redirect leaving the site or into a " +
        "disallowed path; `subrequest_budget`: not fetched because the budget was spent.",
    }),
    message: z.string(),
  }),
);
