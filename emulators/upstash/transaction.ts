import { isReplyError } from "../backends/redis.ts";
import { EndpointError } from "../http/errors.ts";
import type { Command } from "./commands.ts";
import { type Item, toItem } from "./encode.ts";
import { badRequest, unavailable } from "./errors.ts";
import type { ConnectionPool } from "./pool.ts";

/**
 * Runs commands as MULTI..EXEC on a connection of its own, so concurrent transactions never nest or
 * swallow other requests' commands (the failure of SRH issue #25).
 * - a queue-time error (unknown command, wrong arity) discards it all: 400 with that first error;
 * - a runtime error (e.g. INCR on text) is that command's `{"error"}`; the others still apply.
 * @example
 * await runTransaction(pool, [{ name: "INCR", args: ["n"] }, { name: "GET", args: ["n"] }], false);
 * // [{ result: 1 }, { result: "1" }]
 */
export function runTransaction(pool: ConnectionPool, commands: Command[], base64: boolean): Promise<Item[]> {
  return pool.use(async (conn) => {
    // MULTI is confirmed before anything else is sent: had it failed, the commands would run unprotected.
    try {
      await conn.callBuffer("multi");
    } catch (error) {
      throw isReplyError(error)
        ? new EndpointError(500, "internal", `ERR could not start the transaction: ${error.message}`)
        : unavailable(error);
    }
    // The commands and EXEC go out together: one round trip for the whole transaction.
    const queued = commands.map((command) => conn.callBuffer(command.name, ...command.args));
    const [queueing, executed] = await Promise.all([
      Promise.allSettled(queued),
      settle(conn.callBuffer("exec")),
    ]);
    const failures = [...queueing, executed].flatMap((outcome) =>
      outcome.status === "rejected" ? [outcome.reason] : [],
    );
    const lost = failures.find((reason) => !isReplyError(reason));
    if (lost !== undefined) throw unavailable(lost);
    const [first] = failures;
    if (isReplyError(first)) throw badRequest(first.message);
    // Only a WATCHed key makes EXEC answer nil, and WATCH is refused; kept so a surprise is still an error.
    if (executed.status === "rejected" || !Array.isArray(executed.value)) {
      throw badRequest("ERR transaction aborted");
    }
    return executed.value.map((reply: unknown) => toItem(reply, base64));
  });
}

function settle(promise: Promise<unknown>): Promise<PromiseSettledResult<unknown>> {
  return promise.then(
    (value) => ({ status: "fulfilled", value }),
    (reason: unknown) => ({ status: "rejected", reason }),
  );
}
