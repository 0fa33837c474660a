import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { type AppEnv, isProduction } from "../env.ts";
import { ApiError, errorBody } from "../lib/errors.ts";

const REALM = "edge-async-patterns";
const guards = new Map<string, MiddlewareHandler>();

/**
 * Guards a write route with `Authorization: Bearer <API_TOKEN>` (Hono's bearer-auth, which compares in constant
 * time). Without a configured token, writes are open in development and refused (403) in production, so a deploy
 * that forgot its secret cannot be written to. Every refusal is a 401 in the API's error shape.
 *
 * @example
 * ```ts
 * new Hono<AppEnv>().delete("/cars/:id", requireWriteToken(), (c) => c.body(null, 204));
 * ```
 */
export function requireWriteToken(): MiddlewareHandler<AppEnv> {
  return async function requireWriteToken(c, next) {
    const token = c.env.API_TOKEN;
    if (!token) {
      if (!isProduction(c.env)) return next();
      throw new ApiError(
        "forbidden",
        "Writes are disabled because no API_TOKEN is configured; set one with `wrangler secret put API_TOKEN`.",
      );
    }
    let guard = guards.get(token);
    if (!guard) {
      guard = bearerAuth({
        token,
        realm: REALM,
        noAuthenticationHeader: { message: unauthorized },
        // A malformed header is the same mistake as a missing one for the client: 401, not bearer-auth's 400.
        invalidAuthenticationHeader: { message: unauthorized },
        invalidToken: { message: unauthorized },
      });
      guards.set(token, guard);
    }
    return guard(c, next);
  };
}

// bearer-auth raises its refusal as an HTTPException carrying this response, which onError passes through.
function unauthorized(c: Context): Response {
  const message = "This write needs `Authorization: Bearer <API_TOKEN>` with a valid token.";
  return c.json(errorBody("unauthorized", message, c.get("requestId") ?? "unknown"), 401, {
    "www-authenticate": `Bearer realm="${REALM}"`,
  });
}
