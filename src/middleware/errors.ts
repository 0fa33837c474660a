import type { Context, ErrorHandler, Hono, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { LinearRouter } from "hono/router/linear-router";
import type { AppEnv } from "../env.ts";
import { ApiError, type ErrorCode, errorBody, errorStatus } from "../lib/errors.ts";

const codeByStatus = new Map<number, ErrorCode>(
  Object.entries(errorStatus).map(([code, status]) => [status, code as ErrorCode]),
);

/**
 * Renders every thrown error in the API.md shape. Unknown errors are logged with their stack and answered
 * with a generic 500, so no stack trace or internal detail ever reaches the client.
 *
 * @example
 * ```ts
 * app.onError(handleError);
 * ```
 */
export const handleError: ErrorHandler<AppEnv> = function handleError(err, c) {
  const apiError = toApiError(err);
  if (apiError.status >= 500) {
    // The client gets a safe sentence; the logs get what actually happened, under the same request id.
    const cause = apiError.code === "internal_error" ? err : apiError.cause;
    console.error(
      JSON.stringify({
        requestId: c.get("requestId"),
        code: apiError.code,
        cause: clip(String(cause)),
        stack: clip(stackOf(cause)),
      }),
    );
  }
  return respondWithError(c, apiError);
};

/**
 * Answers the API.md error shape for an `ApiError`, with its extra headers (`retry-after`, `allow`).
 *
 * @example
 * ```ts
 * return respondWithError(c, new ApiError("not_found", "No such car."));
 * ```
 */
export function respondWithError(c: Context<AppEnv>, error: ApiError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(errorBody(error.code, error.message, c.get("requestId") ?? "unknown"), error.status);
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    const code = codeByStatus.get(err.status) ?? (err.status < 500 ? "invalid_request" : "internal_error");
    return new ApiError(code, httpExceptionMessage(err, code), { cause: err });
  }
  return new ApiError("internal_error", "Something went wrong on our side; the request id helps us find it.");
}

const friendlierMessages: Partial<Record<ErrorCode, string>> = {
  unsupported_media_type: "Send the body as JSON with `content-type: application/json`.",
  payload_too_large: "The request body is too large.",
};

// Hono's own messages ("Malformed JSON in request body") are safe to show; add the period API.md sentences end with.
function httpExceptionMessage(err: HTTPException, code: ErrorCode): string {
  const message = friendlierMessages[code] ?? (err.message || code.replaceAll("_", " "));
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

// Client errors can quote a whole request (a 2 MiB hash); logs need the gist, not the payload.
function clip(text: string | undefined, max = 1000): string | undefined {
  return text && text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

function stackOf(err: unknown): string | undefined {
  return err instanceof Error ? err.stack : undefined;
}

const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * A not-found handler that tells "no such route" (404) from "route exists, wrong method" (405 with `Allow`).
 *
 * @example
 * ```ts
 * app.notFound(notFoundOrWrongMethod(app));
 * ```
 */
export function notFoundOrWrongMethod(app: Hono<AppEnv>): NotFoundHandler<AppEnv> {
  let router: LinearRouter<string> | undefined;
  return function notFound(c) {
    router ??= routerOf(app);
    const allowed = methods.filter((method) => router?.match(method, c.req.path)[0].length);
    if (allowed.length > 0) {
      return respondWithError(
        c,
        new ApiError(
          "method_not_allowed",
          `${c.req.method} is not allowed here; use ${allowed.join(", ")}.`,
          {
            headers: { allow: allowed.join(", ") },
          },
        ),
      );
    }
    return respondWithError(c, new ApiError("not_found", `No route matches ${c.req.method} ${c.req.path}.`));
  };
}

// Built lazily from the registered routes so it stays right as routers are mounted; middleware (`ALL`) is skipped.
function routerOf(app: Hono<AppEnv>): LinearRouter<string> {
  const router = new LinearRouter<string>();
  for (const route of app.routes) {
    if (route.method !== "ALL") router.add(route.method, route.path, route.method);
  }
  return router;
}
