import { badRequest } from "./errors.ts";

/**
 * Turns request bodies into Redis commands: JSON parsing that keeps number text, argument conversion, and
 * the commands that must not run over a stateless REST call.
 */

/**
 * One Redis command (name in upper case); every argument is already the bulk string Redis will receive.
 * @example
 * const command: Command = { name: "SET", args: ["k", "1e+21"] };
 */
export interface Command {
  name: string;
  args: string[];
}

/**
 * Parses a body. JSON numbers become their original source text, so `12345678901234567890`, `1e+21` or
 * `1.50` reach Redis exactly as sent instead of being reformatted by a round trip through a double.
 * @example
 * parseBody('["set","n",1e+21]'); // ["set", "n", "1e+21"]
 */
export function parseBody(text: string): unknown {
  try {
    // The reviver costs a call per value; a body with no number token (most are all strings) does without it.
    return NUMBER_TOKEN.test(text) ? JSON.parse(text, keepNumberText) : JSON.parse(text);
  } catch {
    throw badRequest("ERR failed to parse the request body as JSON");
  }
}

/** A JSON number can only start right after `[`, `,` or `:` (and whitespace); a match inside a string is harmless. */
const NUMBER_TOKEN = /[[,:]\s*-?\d/;

function keepNumberText(_key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === "number" ? (context?.source ?? String(value)) : value;
}

/**
 * The command of a `POST /` body.
 * @example
 * toCommand(parseBody('["get","k"]')); // { name: "GET", args: ["k"] }
 */
export function toCommand(body: unknown): Command {
  return commandFrom(body, "the request body");
}

/**
 * The commands of a `/pipeline` or `/multi-exec` body (a non-empty array of commands). Any invalid or
 * refused command rejects the whole request, so nothing runs half-way.
 * @example
 * toCommands(parseBody('[["set","a",1],["get","a"]]')).length; // 2
 */
export function toCommands(body: unknown): Command[] {
  if (!Array.isArray(body)) {
    throw badRequest('ERR the request body must be an array of commands, e.g. [["get","k"]]');
  }
  if (body.length === 0) throw badRequest("ERR empty pipeline request");
  return body.map((item, i) => commandFrom(item, `command ${i + 1}`));
}

function commandFrom(value: unknown, where: string): Command {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest(`ERR ${where} must be a non-empty array such as ["get","k"]`);
  }
  const [name = "", ...args] = value.map((item) => toArgument(item, where));
  const refused = refusal(name.toLowerCase(), args);
  if (refused) throw badRequest(`ERR '${name}' is not supported over REST: ${refused} (${where})`);
  // Upper case on purpose: ioredis reshapes HGETALL replies into objects, but only for the lower-case name.
  return { name: name.toUpperCase(), args };
}

/** Strings, numbers (already source text) and booleans become bulk strings; null becomes "" as in SRH. */
function toArgument(value: unknown, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (value === null) return "";
  throw badRequest(
    `ERR ${where}: arguments must be strings, numbers, booleans or null; nested arrays and objects are not supported`,
  );
}

const TRANSACTION = "transactions go through POST /multi-exec";
const CONNECTION_STATE = "it would change the state of a connection shared by every request";
const BLOCKING = "blocking commands are not supported";
const PUBSUB =
  "subscribe with POST /subscribe/<channel> or /psubscribe/<pattern> (server-sent events); PUBLISH works";
const SERVER = "it would stop, reconfigure or take over the server";

const REFUSED: Record<string, string> = {
  multi: TRANSACTION,
  exec: TRANSACTION,
  discard: TRANSACTION,
  watch: "WATCH needs a connection kept between requests",
  unwatch: "WATCH needs a connection kept between requests",
  select: CONNECTION_STATE,
  auth: CONNECTION_STATE,
  hello: CONNECTION_STATE,
  reset: CONNECTION_STATE,
  quit: CONNECTION_STATE,
  readonly: CONNECTION_STATE,
  readwrite: CONNECTION_STATE,
  asking: CONNECTION_STATE,
  blpop: BLOCKING,
  brpop: BLOCKING,
  brpoplpush: BLOCKING,
  blmove: BLOCKING,
  blmpop: BLOCKING,
  bzpopmin: BLOCKING,
  bzpopmax: BLOCKING,
  bzmpop: BLOCKING,
  wait: BLOCKING,
  waitaof: BLOCKING,
  subscribe: PUBSUB,
  psubscribe: PUBSUB,
  ssubscribe: PUBSUB,
  unsubscribe: PUBSUB,
  punsubscribe: PUBSUB,
  sunsubscribe: PUBSUB,
  monitor: SERVER,
  sync: SERVER,
  psync: SERVER,
  replconf: SERVER,
  replicaof: SERVER,
  slaveof: SERVER,
  failover: SERVER,
  shutdown: SERVER,
  debug: SERVER,
};

/** CLIENT subcommands that only read; the others (KILL, PAUSE, REPLY, TRACKING...) act on connections. */
const CLIENT_READS = new Set(["id", "info", "list", "getname", "help"]);

/**
 * Why a command may not run over REST, or undefined when it may.
 * @example
 * refusal("blpop", ["list", "0"]); // "blocking commands are not supported"
 */
export function refusal(name: string, args: string[]): string | undefined {
  if (name === "client" && !CLIENT_READS.has(args[0]?.toLowerCase() ?? "")) return CONNECTION_STATE;
  if (name === "xread" && hasBlockOption(args)) return BLOCKING;
  // XREADGROUP GROUP <group> <consumer> comes first: a group or consumer may well be called "block".
  if (name === "xreadgroup" && hasBlockOption(args.slice(3))) return BLOCKING;
  return Object.hasOwn(REFUSED, name) ? REFUSED[name] : undefined;
}

/** XREAD's options all come before STREAMS; after it only keys and ids follow, which may be called "block". */
function hasBlockOption(args: string[]): boolean {
  for (const arg of args) {
    const word = arg.toLowerCase();
    if (word === "streams") return false;
    if (word === "block") return true;
  }
  return false;
}
