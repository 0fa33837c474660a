import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "../schemas/errors.ts";

/** The error codes of docs/API.md, each tied to the one status it is sent with. */
export const errorStatus = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  backend_error: 502,
  backend_unavailable: 503,
  backend_timeout: 504,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorStatus;

/**
 * A failure the client should see as-is: thrown anywhere, turned into the docs/API.md error shape by `onError`.
 *
 * @example
 * ```ts
 * throw new ApiError("not_found", `Hash "${key}" does not exist.`);
 * ```
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.headers = options.headers ?? {};
  }

  get status(): ContentfulStatusCode {
    return errorStatus[this.code];
  }
}

/**
 * Builds the error body for a request id.
 *
 * @example
 * ```ts
 * return c.json(errorBody("not_found", "No route.", c.get("requestId")), 404);
 * ```
 */
export function errorBody(code: ErrorCode, message: string, requestId: string): ErrorBody {
  return { error: { code, message, requestId } };
}
