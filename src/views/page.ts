import { html } from "hono/html";
import type { Outcome } from "./waterfall.ts";

/** What `html` returns; pages and their parts are built from these. */
export type Html = ReturnType<typeof html>;

/** The API's error shape, as a page reads it. */
export interface ApiErrorBody {
  error: { code: string; message: string; requestId?: string };
}

/**
 * The frame every page shares: title, the stylesheet from the static assets (so the CSP can forbid inline styles),
 * links home and to the docs, and the curl line that gets the same answer as JSON. `refreshSeconds` reloads the page
 * without any script (a crawl job that is still running).
 *
 * @example
 * ```ts
 * return page({ title: "Crawl", url: c.req.url, body: html`<p>…</p>` });
 * ```
 */
export function page(options: { title: string; url?: string; refreshSeconds?: number; body: Html }) {
  const { title, url, refreshSeconds, body } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">` : ""}
<title>${title} · edge-async-patterns</title>
<link rel="stylesheet" href="/views.css">
<link rel="icon" href="data:,">
</head>
<body>
<nav><a href="/">edge-async-patterns</a> · <a href="/docs">API reference</a></nav>
<main>
<h1>${title}</h1>
${body}
${url ? html`<p class="curl">The same answer as JSON: <code>curl '${url.replaceAll("'", "%27")}'</code></p>` : ""}
</main>
</body>
</html>`;
}

/**
 * A data table: the waterfall's text alternative for screen readers, and the exact numbers for everyone.
 *
 * @example
 * ```ts
 * table("Steps", ["step", "start (ms)"], steps.map((s) => [String(s.i + 1), String(s.startMs)]));
 * ```
 */
export function table(caption: string, headers: string[], rows: (string | number | Html)[][]) {
  return html`<table>
<caption>${caption}</caption>
<thead><tr>${headers.map((header) => html`<th scope="col">${header}</th>`)}</tr></thead>
<tbody>
${rows.map((row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>\n`)}
</tbody>
</table>`;
}

/**
 * The API error of a failed run, shown where the result would be.
 *
 * @example
 * ```ts
 * errorNote({ code: "backend_timeout", message: "The delay upstream did not answer." });
 * ```
 */
export function errorNote(error: ApiErrorBody["error"]) {
  return html`<p class="error-note" role="alert"><strong>${error.code}</strong>: ${error.message}${
    error.requestId ? html` <small>(request id <code>${error.requestId}</code>)</small>` : ""
  }</p>`;
}

/**
 * The page for any error answer (a bad parameter, an unreachable backend): the error, and a way back.
 *
 * @example
 * ```ts
 * errorPage(503, { error: { code: "backend_unavailable", message: "Redis is unreachable." } }, c.req.url);
 * ```
 */
export function errorPage(status: number, body: ApiErrorBody, url?: string) {
  return page({
    title: `Error ${status}`,
    url,
    body: html`${errorNote(body.error)}<p><a href="/">Back to the patterns</a></p>`,
  });
}

/** The legend for the outcome colours, in words too. */
export const legend = html`<p class="legend"><span class="swatch ok"></span> ok <span class="swatch error"></span> error <span class="swatch timeout"></span> timeout</p>`;

/**
 * Classifies an entry from its structured fields: a timeout code, any other error, an HTTP error status, or ok.
 *
 * @example
 * ```ts
 * outcomeOf({ code: "timeout", message: "…" }); // "timeout"
 * ```
 */
export function outcomeOf(error?: { code: string }, status?: number, ok = true): Outcome {
  if (error) return error.code === "timeout" || error.code === "backend_timeout" ? "timeout" : "error";
  return ok && (status === undefined || status < 400) ? "ok" : "error";
}
