import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./errors.ts";

/**
 * A router whose request schemas both validate input and document it in /openapi.json.
 * A failed validation becomes a 400 `invalid_request` whose message names the field.
 *
 * @example
 * ```ts
 * export const timing = createRouter().openapi(delayRoute, (c) => c.json({ ms: c.req.valid("query").ms }));
 * app.route("/timing", timing);
 * ```
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: function rejectInvalid(result) {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
}

const targetNames: Record<string, string> = {
  query: "Query parameter",
  param: "Path parameter",
  json: "Body field",
  header: "Header",
};

// The first zod issue as one sentence naming the field: "Query parameter `ms`: too big: expected number to be <=10000."
function validationError(error: ZodError, target: string): ApiError {
  const issue = error.issues[0];
  const where = targetNames[target] ?? "Input";
  if (!issue) return new ApiError("invalid_request", `${where} is invalid.`);
  const field = issue.path.map(String).join(".");
  const detail = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  const subject = field ? `${where} \`${field}\`` : target === "json" ? "Request body" : where;
  return new ApiError("invalid_request", `${subject}: ${detail.replace(/\.$/, "")}.`, { cause: error });
}
