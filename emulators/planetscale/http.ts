/**
 * What the PlanetScale endpoint reads from a request: Basic credentials as `@planetscale/database` sends them, and
 * a JSON body that must be an object.
 */
import { sameSecret } from "../http/credentials.ts";
import { EndpointError } from "../http/errors.ts";

/**
 * Checks `Authorization: Basic …` in constant time. The driver copies the user and password from a URL without
 * decoding them, so `p%40ss` must match `p@ss`; the raw form is accepted too, for clients that send plain text.
 * @example isAuthorized(c.req.header("authorization"), "root", "secret") // true or false
 */
export function isAuthorized(header: string | undefined, username: string, password: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  // The driver builds the header with btoa(), i.e. Latin-1 bytes.
  const credentials = Buffer.from(match[1], "base64").toString("latin1");
  const colon = credentials.indexOf(":");
  if (colon < 0) return false;
  const user = credentials.slice(0, colon);
  const pass = credentials.slice(colon + 1);
  // Every comparison runs, so the time taken does not tell which one matched.
  const userMatches = Number(sameSecret(user, username)) | Number(sameSecret(percentDecode(user), username));
  const passMatches = Number(sameSecret(pass, password)) | Number(sameSecret(percentDecode(pass), password));
  return (userMatches & passMatches) === 1;
}

/**
 * Parses a request body that must be a JSON object; an empty body is `{}`, as Connect treats it.
 * @throws EndpointError 400 `invalid_argument` for anything else.
 * @example const body = parseObject(await c.req.text()); // { query: "SELECT 1", session: null }
 */
export function parseObject(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EndpointError(400, "invalid_argument", `request body is not valid JSON: ${reason}`);
  }
  if (!isJsonObject(value))
    throw new EndpointError(400, "invalid_argument", "request body must be a JSON object");
  return value;
}

/**
 * Whether a parsed JSON value is an object (not an array or null).
 * @example isJsonObject(JSON.parse('{"query":"SELECT 1"}')) // true
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
