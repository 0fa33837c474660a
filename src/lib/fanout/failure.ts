import { z } from "@hono/zod-openapi";

/**
 * Every reason a URL can end without a usable answer, as clients see it in `error.code`.
 *
 * @example
 * ```ts
 * const Code = z.enum(failureCodes);
 * ```
 */
const failureCodes = [
  "timeout",
  "unreachable",
  "upstream_error",
  "too_large",
  "too_many_redirects",
  "invalid_redirect",
  "refused_target",
  "off_origin",
  "disallowed_by_robots",
  "subrequest_budget",
  "aborted",
] as const;

export type FailureCode = (typeof failureCodes)[number];

/** Why one URL produced no usable answer; sent to clients as the entry's `error`. */
export interface FetchFailure {
  code: FailureCode;
  message: string;
}

/**
 * Builds a `FetchFailure`.
 *
 * @example
 * ```ts
 * return failure("off_origin", "The redirect leaves the site.");
 * ```
 */
export function failure(code: FailureCode, message: string): FetchFailure {
  return { code, message };
}

/**
 * The OpenAPI schema of an entry's `error`, shared by /fetch and /crawl.
 *
 * @example
 * ```ts
 * const Entry = z.object({ url: z.string(), error: FetchFailureSchema.optional() });
 * ```
 */
export const FetchFailureSchema = z
  .object({
    code: z.enum(failureCodes).openapi({
      description:
        "`unreachable`: DNS failure or refused connection (the runtime does not tell them apart); " +
        "`upstream_error`: a 5xx; `too_large`: over 2 MiB; `refused_target`: a redirect the target guard " +
        "refused; `off_origin` / `disallowed_by_robots`: a crawl redirect leaving the site or into a " +
        "disallowed path; `subrequest_budget`: not fetched because the budget was spent.",
    }),
    message: z.string(),
  })
  .openapi("FetchFailure");
