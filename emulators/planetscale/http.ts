/**
 * HTTP plumbing for the emulator: JSON answers, error bodies the driver can read, bounded body reading and
 * Basic auth as `@planetscale/database` sends it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

/** A body that did not arrive as a JSON value, with the HTTP status and error code to answer. */
interface BodyFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
}

/**
 * Writes a JSON answer.
 * @example sendJson(res, 200, { session, result, timing });
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Every non-2xx answer carries an `error` object: the driver (1.20) then throws a DatabaseError with its
 * message instead of a generic "Expected JSON response" error.
 * @example sendError(res, 401, "unauthenticated", "invalid auth credentials");
 */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

/**
 * Reads and parses a JSON body of at most `limit` bytes; an empty body is `{}`, as Connect treats it.
 * @example const body = await readJsonBody(req, 1024 * 1024); if (!body.ok) sendError(res, body.status, body.code, body.message);
 */
export function readJsonBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ ok: true; value: unknown } | BodyFailure> {
  const tooLarge: BodyFailure = {
    ok: false,
    status: 413,
    code: "resource_exhausted",
    message: `request body is larger than ${limit} bytes`,
  };
  if (Number(req.headers["content-length"]) > limit) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so that the 413 reaches the client before the socket closes.
      if (size > limit) {
        chunks.length = 0;
        resolve(tooLarge);
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(parseJson(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", () =>
      resolve({ ok: false, status: 400, code: "invalid_argument", message: "request body broke off" }),
    );
  });
}

function parseJson(text: string): { ok: true; value: unknown } | BodyFailure {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      status: 400,
      code: "invalid_argument",
      message: `request body is not valid JSON: ${reason}`,
    };
  }
}

/**
 * Checks `Authorization: Basic …` in constant time. The driver copies the user and password from a URL without
 * decoding them, so `p%40ss` must match `p@ss`; the raw form is accepted too, for clients that send plain text.
 * @example isAuthorized(req.headers.authorization, "root", "secret") // true or false
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
  const userMatches = sameSecret(user, username) | sameSecret(percentDecode(user), username);
  const passMatches = sameSecret(pass, password) | sameSecret(percentDecode(pass), password);
  return (userMatches & passMatches) === 1;
}

/**
 * Whether a parsed JSON value is an object (not an array or null).
 * @example isJsonObject(JSON.parse('{"query":"SELECT 1"}')) // true
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** 1 when equal, 0 otherwise; hashing first makes the comparison independent of where the strings differ. */
function sameSecret(given: string, expected: string): number {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected)) ? 1 : 0;
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
