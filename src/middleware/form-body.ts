import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

/** Which form fields are not plain strings in the route's JSON body. */
export interface FormShape {
  /** Fields whose value is a number (`<input type="number">`). */
  numbers?: string[];
  /** Fields holding a list, one item a line (`<textarea>`). */
  lists?: string[];
}

/**
 * Lets a plain HTML form post to a JSON route: a `application/x-www-form-urlencoded` body becomes the JSON body
 * the route's validator reads (empty fields left out, so defaults apply). Forms need no CORS preflight, so a form
 * posted from another site (or by a client that is not on our pages) is refused with 415, like any non-JSON body. Writes still need the bearer token in its header: a form cannot send one,
 * so a form reaches a write route only where writes are open (local development without API_TOKEN).
 * JSON bodies pass through untouched.
 *
 * @example
 * ```ts
 * .post("/fetch", formBody({ lists: ["urls"], numbers: ["timeoutMs", "concurrency"] }), validate("json", FetchRequestSchema), handler)
 * ```
 */
export function formBody(shape: FormShape = {}): MiddlewareHandler<AppEnv> {
  return async function formToJson(c, next) {
    if (!c.req.header("content-type")?.startsWith("application/x-www-form-urlencoded")) return next();
    // Our pages send `Referrer-Policy: no-referrer`, so browsers post their forms with `Origin: null`; the
    // unforgeable `Sec-Fetch-Site` still tells a same-origin form from another site's.
    const sameOrigin =
      c.req.header("sec-fetch-site") === "same-origin" ||
      c.req.header("origin") === new URL(c.req.url).origin;
    if (!sameOrigin) {
      // A form from elsewhere is refused like any body that is not JSON.
      throw new ApiError(
        "unsupported_media_type",
        "Send the body as JSON with `content-type: application/json`; forms are taken only from this site's pages.",
      );
    }
    // Read from the raw request, not c.req: Hono would cache the form and hand it to the JSON validator later.
    const form = await c.req.raw.formData();
    const headers = new Headers(c.req.raw.headers);
    headers.set("content-type", "application/json");
    headers.delete("content-length");
    c.req.raw = new Request(c.req.raw, { headers, body: JSON.stringify(toJson(form, shape)) });
    return next();
  };
}

function toJson(form: FormData, { numbers = [], lists = [] }: FormShape): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of form) {
    if (typeof value !== "string" || value.trim() === "") continue;
    if (lists.includes(name)) {
      body[name] = value
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
    } else body[name] = numbers.includes(name) ? Number(value) : value;
  }
  return body;
}
