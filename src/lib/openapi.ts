import type { z } from "@hono/zod-openapi";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ErrorSchema, errorStatus } from "./errors.ts";

/**
 * An OpenAPI response entry whose body is JSON of `schema`.
 *
 * @example
 * ```ts
 * responses: { 200: jsonResponse(Car, "The car"), ...errorResponses(404) }
 * ```
 */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/**
 * OpenAPI response entries for the error statuses a route can answer, plus the two every route can:
 * 429 (rate limits apply everywhere) and 500.
 *
 * @example
 * ```ts
 * responses: { 200: jsonResponse(Car, "The car"), ...errorResponses(400, 404) }
 * ```
 */
export function errorResponses(...statuses: ContentfulStatusCode[]) {
  return Object.fromEntries(
    [...new Set([...statuses, 429, 500] as ContentfulStatusCode[])].map((status) => [
      status,
      { description: describeStatus(status), content: { "application/json": { schema: ErrorSchema } } },
    ]),
  );
}

function describeStatus(status: ContentfulStatusCode): string {
  const codes = Object.entries(errorStatus).filter(([, s]) => s === status);
  return codes.map(([code]) => code).join(" / ") || "error";
}
