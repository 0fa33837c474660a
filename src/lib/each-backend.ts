import type { BackendFailure } from "../schemas/errors.ts";
import type { ApiError } from "./errors.ts";

/** One backend's part of a fan-out answer: its result fields when it answered, its error when it did not. */
type Entry<R> = { name: string; ok: true; ms: number } & R;
type Failed = { name: string; ok: false; error: BackendFailure; ms: number };

/**
 * The tutorials' "same query on every database at once": runs `work` on every backend concurrently, timing each.
 * A failure stays in its backend's own entry (as the API's error code and sentence), so one unreachable database
 * never hides the answers of the others.
 *
 * @example
 * ```ts
 * const { entries, elapsedMs, sumMs } = await queryEach(stores, async ({ store }) => ({ result: await store.stats() }), sqlError);
 * ```
 */
export async function queryEach<T extends { name: string }, R extends object>(
  backends: readonly T[],
  work: (backend: T) => Promise<R>,
  toError: (error: unknown) => ApiError,
) {
  const started = performance.now();
  const entries = await Promise.all(
    backends.map(async function queryOne(backend): Promise<Entry<R> | Failed> {
      const startedOne = performance.now();
      const ms = () => Math.round(performance.now() - startedOne);
      try {
        const result = await work(backend);
        return { name: backend.name, ok: true, ...result, ms: ms() };
      } catch (error) {
        const { code, message } = toError(error);
        return { name: backend.name, ok: false, error: { code, message }, ms: ms() };
      }
    }),
  );
  const sumMs = entries.reduce((sum, entry) => sum + entry.ms, 0);
  return { entries, elapsedMs: Math.round(performance.now() - started), sumMs };
}
