import { z } from "@hono/zod-openapi";

/**
 * Wraps an object schema so a `__proto__` key is refused with a 400. Zod drops that key without a word (it
 * cannot be assigned to a plain object safely), and silently losing what a client sent is worse than refusing it.
 *
 * @example
 * ```ts
 * const HashBody = refuseProtoKey(z.record(z.string(), z.string())); // '{"__proto__":"x"}' → "is reserved"
 * ```
 */
export function refuseProtoKey<T extends z.ZodType>(schema: T) {
  return z.preprocess(function refuseProto(value, ctx) {
    if (typeof value === "object" && value !== null && Object.hasOwn(value, "__proto__")) {
      ctx.addIssue({ code: "custom", message: "is a reserved name", path: ["__proto__"] });
    }
    return value;
  }, schema);
}
