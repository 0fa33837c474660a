import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError } from "./errors.ts";

// Upstash's request limit on Free and Pay-as-you-go plans.
const MAX_BODY_BYTES = 1024 * 1024;
// Once a body is refused we keep reading (so the client, still sending, can read the 413), but not forever.
const MAX_DISCARDED_BYTES = 16 * MAX_BODY_BYTES;

/**
 * Reads a request body of at most 1 MiB. Rejects with Upstash's 413 as soon as it is known to be larger
 * (from Content-Length, or while counting); the rest is then read and thrown away, never buffered.
 * @example
 * const body = await readBody(req); // Buffer, or throws HttpError(413, "ERR max request size exceeded")
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let discarded = 0;
    const tooLarge = () => {
      chunks.length = 0;
      reject(new HttpError(413, "ERR max request size exceeded"));
    };
    req.on("data", (chunk: Buffer) => {
      if (size > MAX_BODY_BYTES) {
        discarded += chunk.length;
        if (discarded > MAX_DISCARDED_BYTES) req.socket.destroy();
        return;
      }
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge();
      else chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
    if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) {
      size = MAX_BODY_BYTES + 1;
      tooLarge();
    }
  });
}

/**
 * Whether the request carries `token`, as `Authorization: Bearer <token>` or `?_token=<token>`.
 * Compares digests in constant time, so neither the token's content nor its length leaks through timing.
 * @example
 * isAuthorized(req, new URL(req.url ?? "/", "http://x"), "secret");
 */
export function isAuthorized(req: IncomingMessage, url: URL, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const bearer = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1];
  const offered = url.searchParams.get("_token") ?? bearer;
  return offered !== undefined && timingSafeEqual(digest(offered), digest(token));
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * Answers with a JSON body (nothing for HEAD).
 * @example
 * sendJson(res, 200, { result: "OK" }, { "upstash-sync-token": "7" });
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}
