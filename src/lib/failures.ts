/**
 * How a backend round trip failed, as each backend's classifier reads it from its client's errors; each backend
 * turns a kind into its own status and sentence. `answered`: the backend itself answered with an error (502).
 */
export type Failure = "timeout" | "refused" | "unavailable" | "too_large" | "answered";

/**
 * Whether our own deadline passed: `AbortSignal.timeout` rejects with a `TimeoutError`, and an aborted fetch with an
 * `AbortError` (both `DOMException`s, so their `name` is the field to read).
 *
 * @example
 * ```ts
 * if (isDeadline(error)) return "timeout";
 * ```
 */
export function isDeadline(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}
