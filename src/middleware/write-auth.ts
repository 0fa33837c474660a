import type { MiddlewareHandler } from "hono";
import { type AppEnv, isProduction } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

const encoder = new TextEncoder();

/**
 * Guards a write route with `Authorization: Bearer <API_TOKEN>`. Without a configured token, writes are open in
 * development and refused (403) in production, so a deploy that forgot its secret cannot be written to.
 * Mount it on the write routes only; reads stay open.
 *
 * @example
 * ```ts
 * createRoute({ method: "put", path: "/hashes/{key}", middleware: [requireWriteToken()], ... });
 * ```
 */
export function requireWriteToken(): MiddlewareHandler<AppEnv> {
  return async function requireWriteToken(c, next) {
    const expected = c.env.API_TOKEN;
    if (!expected) {
      if (isProduction(c.env)) {
        throw new ApiError(
          "forbidden",
          "Writes are disabled because no API_TOKEN is configured; set one with `wrangler secret put API_TOKEN`.",
        );
      }
      return next();
    }
    const presented = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (!presented || !(await sameSecret(presented, expected))) {
      throw new ApiError(
        "unauthorized",
        "This write needs `Authorization: Bearer <API_TOKEN>` with a valid token.",
        {
          headers: { "www-authenticate": 'Bearer realm="edge-async-patterns"' },
        },
      );
    }
    return next();
  };
}

// Hashing first gives both sides the same length, so the comparison time says nothing about the token.
async function sameSecret(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

function digest(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(value));
}
