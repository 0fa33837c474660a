import { ApiError, type ErrorCode } from "../errors.ts";
import { type Failure, isDeadline } from "../failures.ts";

/** How long one SQL round trip may take before the request answers 504. */
export const SQL_DEADLINE_MS = 5_000;

/** The ways an SQL round trip fails; no SQL request is large enough for a backend's size limit. */
export type SqlFailure = Exclude<Failure, "too_large">;

const failures: Record<SqlFailure, [ErrorCode, string]> = {
  timeout: ["backend_timeout", `The SQL database did not answer within ${SQL_DEADLINE_MS} ms.`],
  refused: ["backend_unavailable", "The SQL database refused the credentials; check DATABASE_URL."],
  unavailable: ["backend_unavailable", "The SQL database is unreachable; try again shortly."],
  answered: ["backend_error", "The SQL database answered with an error; the request id helps us find it."],
};

/**
 * Maps what an SQL backend threw to the API's backend errors: past the deadline 504; unreachable, overloaded
 * or refusing the credentials 503; an error the database answered 502. `ApiError`s pass through. Each backend
 * passes its own `classify`, which reads its client's errors; the client only ever sees these fixed sentences,
 * and the cause goes to the logs.
 *
 * @example
 * ```ts
 * const { entries } = await queryEach(allCarStores(c.env), readStats, sqlError);
 * ```
 */
export function sqlError(
  error: unknown,
  classify: (error: unknown) => SqlFailure = () => "answered",
): ApiError {
  if (error instanceof ApiError) return error;
  const [code, message] = failures[isDeadline(error) ? "timeout" : classify(error)];
  return new ApiError(code, message, { cause: error });
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
