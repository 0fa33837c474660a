/**
 * The one request body cap of both endpoints: hono/body-limit, with a declared Content-Length checked from the
 * header alone.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { EndpointError } from "./errors.ts";

/**
 * Refuses bodies over `maxBytes` with `tooLarge()`. hono/body-limit reads `c.req.raw.body` even when the length is
 * declared, which makes @hono/node-server build a full web Request for every call (the bench measured it at about
 * half the endpoint's CPU per request); so a declared length is checked here, and only a chunked body, whose
 * length is known only while reading, goes through hono/body-limit.
 * @example app.post("/", capBody(1024 * 1024, () => tooLarge(1024 * 1024, "too_large", "the body is")), handler);
 */
export function capBody(maxBytes: number, tooLarge: () => EndpointError): MiddlewareHandler {
  const streaming = bodyLimit({
    maxSize: maxBytes,
    onError() {
      throw tooLarge();
    },
  });
  return async function capBody(c, next) {
    const declared = c.req.header("content-length");
    if (declared === undefined || c.req.header("transfer-encoding") !== undefined) return streaming(c, next);
    if (Number(declared) > maxBytes) throw tooLarge();
    await next();
  };
}
