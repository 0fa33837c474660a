import { DatabaseError } from "@planetscale/database";
import { ApiError } from "../errors.ts";

/** How long one SQL round trip may take before the request answers 504. */
export const SQL_DEADLINE_MS = 5_000;

/**
 * Maps what either SQL backend threw to the API's backend errors: past the deadline 504; unreachable, overloaded
 * or refusing the credentials 503; an error the database answered 502. `ApiError`s pass through. The client only
 * ever sees these fixed sentences; the cause goes to the logs.
 *
 * @example
 * ```ts
 * await client.execute(sql).catch((error) => { throw sqlError(error); });
 * ```
 */
export function sqlError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  const options = { cause: error };
  if (name === "TimeoutError" || name === "AbortError" || /timed? ?out/i.test(message)) {
    return new ApiError(
      "backend_timeout",
      `The SQL database did not answer within ${SQL_DEADLINE_MS} ms.`,
      options,
    );
  }
  if (error instanceof DatabaseError && (error.status === 401 || error.status === 403)) {
    return new ApiError(
      "backend_unavailable",
      "The SQL database refused the credentials; check DATABASE_URL.",
      options,
    );
  }
  // The driver reports SQL errors as 400, and D1 reports them as D1_ERROR; anything else is the way there failing.
  const answered =
    error instanceof DatabaseError
      ? error.status === 400
      : !/overloaded|unavailable|network|reset|connection/i.test(message);
  if (answered) {
    return new ApiError(
      "backend_error",
      "The SQL database answered with an error; the request id helps us find it.",
      options,
    );
  }
  return new ApiError("backend_unavailable", "The SQL database is unreachable; try again shortly.", options);
}

/**
 * Rejects with a 504 when `work` takes longer than the SQL deadline. For D1, whose calls take no signal.
 *
 * @example
 * ```ts
 * const rows = await withDeadline(db.prepare(sql).all());
 * ```
 */
export async function withDeadline<T>(work: Promise<T>): Promise<T> {
  let timer: number | null = null;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DOMException("SQL deadline passed", "TimeoutError")),
      SQL_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
