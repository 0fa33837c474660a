/**
 * Every reason a URL can end without a usable answer, as clients see it in `error.code`.
 *
 * @example
 * ```ts
 * const Code = v.picklist(failureCodes);
 * ```
 */
export const failureCodes = [
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
