import type { Context, MiddlewareHandler } from "hono";
import { accepts } from "hono/accepts";
import type { AppEnv } from "../env.ts";
import { type ApiErrorBody, errorPage, type Html } from "../views/page.ts";

/**
 * The policy of every HTML page: our own origin only, and no script at all (the pages need none). The one
 * stylesheet is a static asset, so inline styles are refused too.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// JSON wins ties and `*/*` (curl), so it stays the default.
function prefersHtml(c: Context): boolean {
  const type = accepts(c, {
    header: "Accept",
    supports: ["application/json", "text/html"],
    default: "application/json",
  });
  return type === "text/html";
}

/**
 * Answers browsers with a page drawn from the route's own JSON answer: the handler runs as usual, then its JSON body
 * (success or error) becomes the page, so the page holds the same data by construction. A created resource
 * (201/202 with `location`) sends the browser there with 303, so a form post lands on the new resource's page.
 * Answers that are not JSON (NDJSON streams, 204) pass through untouched.
 *
 * @example
 * ```ts
 * .get("/timing/compare", endpoint({...}), htmlView(timingComparePage), validate("query", TaskQuerySchema), handler)
 * ```
 */
export function htmlView<T>(render: (data: T, url?: string) => Html): MiddlewareHandler<AppEnv> {
  return async function renderHtmlView(c, next) {
    if (!prefersHtml(c)) {
      await next();
      c.res.headers.append("vary", "Accept");
      return;
    }
    await next();
    const answer = c.res;
    const created = (answer.status === 201 || answer.status === 202) && answer.headers.has("location");
    if (!created && !answer.headers.get("content-type")?.startsWith("application/json")) return;
    // The answer's other headers (request id, rate limits) stay; its body is replaced.
    const headers = new Headers(answer.headers);
    headers.delete("content-length");
    headers.append("vary", "Accept");
    c.res = undefined;
    if (created) {
      headers.delete("content-type");
      c.res = new Response(null, { status: 303, headers });
      return;
    }
    const body: unknown = await answer.json();
    // A GET page shows the curl line that fetches the same JSON; a form post has no such one-liner.
    const url = c.req.method === "GET" ? c.req.url : undefined;
    const view =
      answer.status < 400 ? render(body as T, url) : errorPage(answer.status, body as ApiErrorBody, url);
    headers.set("content-type", "text/html; charset=utf-8");
    headers.set("content-security-policy", PAGE_CSP);
    c.res = new Response(await view, { status: answer.status, headers });
  };
}

/**
 * Answers browsers with a static page from the assets (`path`, e.g. `/landing` for public/landing.html) instead of
 * the route's JSON: for pages whose content does not depend on the answer, so their text stays out of the bundle.
 *
 * @example
 * ```ts
 * .get("/", endpoint(spec), staticView("/landing"), (c) => c.json(index)); // browsers get public/landing.html
 * ```
 */
export function staticView(path: string): MiddlewareHandler<AppEnv> {
  return async function serveStaticView(c, next) {
    if (!prefersHtml(c)) {
      await next();
      c.res.headers.append("vary", "Accept");
      return;
    }
    const asset = await c.env.ASSETS.fetch(new URL(path, c.req.url));
    // Through Hono's context, so the page gets the headers every answer carries (x-request-id, Server-Timing).
    const page = c.newResponse(asset.body, asset);
    page.headers.set("content-security-policy", PAGE_CSP);
    page.headers.append("vary", "Accept");
    return page;
  };
}
