import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.ts";
import { ApiError, type ErrorCode, errorBody, errorStatus } from "../lib/errors.ts";

const codeByStatus = new Map<number, ErrorCode>(
  Object.entries(errorStatus).map(([code, status]) => [status, code as ErrorCode]),
);

/**
 * Renders every thrown error in the docs/API.md shape. Unknown errors are logged with their stack and answered
 * with a generic 500, so no stack trace or internal detail ever reaches the client.
 *
 * @example
 * ```ts
 * app.onError(handleError);
 * ```
 */
export const handleError: ErrorHandler<AppEnv> = function handleError(err, c) {
  // Built-ins such as bearer-auth raise a response already rendered in our shape through their hooks.
  if (err instanceof HTTPException && err.res) return err.getResponse();
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
 * Answers the docs/API.md error shape for an `ApiError`, with its extra headers (`retry-after`, `allow`).
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

// Hono's own messages ("Malformed JSON in request body") are safe to show; add the period docs/API.md sentences end with.
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

/**
 * The 404 for a path no route serves. (A path served for other methods gets its 405 from `methodNotAllowed`.)
 *
 * @example
 * ```ts
 * app.notFound(noRoute);
 * ```
 */
export const noRoute: NotFoundHandler<AppEnv> = function noRoute(c) {
  return respondWithError(c, new ApiError("not_found", `No route matches ${c.req.method} ${c.req.path}.`));
};

/**
 * Hono's method-not-allowed hook, answering in the API's error shape with `Allow` (HEAD included wherever GET is).
 *
 * @example
 * ```ts
 * app.use(methodNotAllowed({ app, onMethodNotAllowed: wrongMethod }));
 * ```
 */
export function wrongMethod(c: Context<AppEnv>, allowed: string[]): Response {
  const allow = allowed.join(", ");
  return respondWithError(
    c,
    new ApiError("method_not_allowed", `${c.req.method} is not allowed here; use ${allow}.`, {
      headers: { allow },
    }),
  );
}
