import { isReplyError } from "../backends/redis.ts";

/**
 * What a reply may become on the wire. No objects, booleans or fractional numbers: with base64 on, the
 * client's decode() turns an object into null and a boolean into undefined (which then throws).
 * @example
 * const reply: Json = ["dg==", 1, null];
 */
export type Json = string | number | null | Json[];

/**
 * One entry of a pipeline or transaction answer.
 * @example
 * const items: Item[] = [{ result: "OK" }, { error: "ERR value is not an integer or out of range" }];
 */
export type Item = { result: Json } | { error: string };

/**
 * Converts a RESP reply (as ioredis' callBuffer returns it) to JSON.
 * With `base64`, every string at every depth is base64 of its exact bytes, "OK" included: the client
 * decodes a top-level "T0s=" to "OK", whereas a raw "OK" inside an array would decode to garbage.
 * Without it, strings are UTF-8, invalid sequences becoming U+FFFD.
 * @example
 * encodeReply([Buffer.from("bar"), 3, null], true); // ["YmFy", 3, null]
 */
export function encodeReply(reply: unknown, base64: boolean): Json {
  if (reply === null || reply === undefined) return null;
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString("base64") : reply.toString("utf8");
  if (typeof reply === "number" && Number.isSafeInteger(reply)) return reply;
  // Lua's true and RESP3's booleans reach RESP2 clients as 1 and nil.
  if (typeof reply === "boolean") return reply ? 1 : null;
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  // An error nested in an array (a Lua table holding redis.error_reply) can only travel as its text.
  const text = isReplyError(reply) ? reply.message : String(reply);
  return base64 ? Buffer.from(text, "utf8").toString("base64") : text;
}

/**
 * One pipeline/transaction entry: Redis errors stay readable text, never base64.
 * @example
 * toItem(Buffer.from("v"), false); // { result: "v" }
 */
export function toItem(reply: unknown, base64: boolean): Item {
  return isReplyError(reply) ? { error: reply.message } : { result: encodeReply(reply, base64) };
}

/**
 * Whether the client asked for base64 strings (`Upstash-Encoding: base64`, the @upstash/redis default).
 * @example
 * wantsBase64(req.headers["upstash-encoding"]); // true for "base64"
 */
export function wantsBase64(header: string | string[] | undefined): boolean {
  return typeof header === "string" && header.trim().toLowerCase() === "base64";
}
