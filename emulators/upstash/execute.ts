import { isReplyError, type RedisConnection } from "../backends/redis.ts";
import { batchWrites } from "./coalesce.ts";
import type { Command } from "./commands.ts";
import { encodeReply, type Item, type Json, toItem } from "./encode.ts";
import { badRequest, unavailable } from "./errors.ts";

/**
 * Runs one command on the shared connection. A Redis error becomes a 400 carrying Redis' own text (so
 * e.g. NOSCRIPT reaches the client unchanged); a connection failure becomes a 503.
 * @example
 * await runCommand(shared, { name: "GET", args: ["k"] }, true); // "dg==" for "v"
 */
export async function runCommand(conn: RedisConnection, command: Command, base64: boolean): Promise<Json> {
  batchWrites(conn);
  try {
    return encodeReply(await conn.callBuffer(command.name, ...command.args), base64);
  } catch (error) {
    if (isReplyError(error)) throw badRequest(error.message);
    throw unavailable(error);
  }
}

/**
 * Runs a pipeline: every command is written at once (one round trip) and answered in order, each with its
 * own result or error. Not atomic, as on Upstash. A lost connection fails the whole request with a 503,
 * because the caller cannot know which commands ran.
 * @example
 * await runPipeline(shared, [{ name: "INCR", args: ["n"] }], false); // [{ result: 1 }]
 */
export async function runPipeline(
  conn: RedisConnection,
  commands: Command[],
  base64: boolean,
): Promise<Item[]> {
  batchWrites(conn);
  const outcomes = await Promise.allSettled(
    commands.map((command) => conn.callBuffer(command.name, ...command.args)),
  );
  return outcomes.map((outcome) => settledItem(outcome, base64));
}

/** One answer entry from a settled command; throws the 503 when it failed for lack of a connection. */
function settledItem(outcome: PromiseSettledResult<unknown>, base64: boolean): Item {
  if (outcome.status === "fulfilled") return toItem(outcome.value, base64);
  if (isReplyError(outcome.reason)) return { error: outcome.reason.message };
  throw unavailable(outcome.reason);
}
