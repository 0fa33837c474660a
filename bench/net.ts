/** Small network helpers the bench's parts share. */

/**
 * GETs `url` and returns its JSON body, failing with the status and body when the answer is not 2xx.
 *
 * @example
 * ```ts
 * const run = await getJson<{ elapsedMs: number }>("http://127.0.0.1:8787/timing/sync", signal);
 * ```
 */
export async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
