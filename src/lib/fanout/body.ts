/**
 * The most body bytes read from any one answer (2 MiB).
 *
 * @example
 * ```ts
 * const bytes = await readCapped(response.body, MAX_BODY_BYTES);
 * ```
 */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Reads a body from its stream, at most `limit` bytes. Answers undefined, after cancelling the rest, as soon
 * as the body turns out longer: a 10 MiB page costs 2 MiB of reading, not 10.
 *
 * @example
 * ```ts
 * const bytes = await readCapped(response.body, MAX_BODY_BYTES);
 * if (!bytes) return "too large";
 * ```
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body) {
    const reader = body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(chunk.value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Cancels a body nobody will read. An unread body keeps its connection open, and open connections count
 * against the six the runtime allows a request.
 *
 * @example
 * ```ts
 * if (response.status >= 500) await discard(response);
 * ```
 */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
