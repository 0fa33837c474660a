import * as v from "valibot";
import { failureCodes } from "../lib/fanout/failure.ts";
import { doc, named } from "./doc.ts";

/** The one error body every failure uses: `{error: {code, message, requestId}}`. */
export const ErrorSchema = named(
  "Error",
  v.object({
    error: v.object({
      code: doc(v.string(), { example: "invalid_request" }),
      message: doc(v.string(), {
        example: "Query parameter `ms`: invalid value: Expected <=10000 but received 20000.",
      }),
      requestId: v.string(),
    }),
  }),
);

export type ErrorBody = v.InferOutput<typeof ErrorSchema>;

/** A backend's failure inside a fan-out answer (`/redis/fanout`, `/sql/fanout`): the API's code and sentence. */
export const BackendFailureSchema = named(
  "BackendFailure",
  v.object({ code: v.string(), message: v.string() }),
);

export type BackendFailure = v.InferOutput<typeof BackendFailureSchema>;

/** Why one URL of /fetch or /crawl produced no usable answer. */
export const FetchFailureSchema = named(
  "FetchFailure",
  v.object({
    code: doc(v.picklist(failureCodes), {
      description:
        "`unreachable`: DNS failure or refused connection (the runtime does not tell them apart); " +
        "`upstream_error`: a 5xx; `too_large`: over 2 MiB; `refused_target`: a redirect the target guard " +
        "refused; `off_origin` / `disallowed_by_robots`: a crawl redirect leaving the site or into a " +
        "disallowed path; `subrequest_budget`: not fetched because the budget was spent.",
    }),
    message: v.string(),
  }),
);
