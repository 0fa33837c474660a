import { z } from "@hono/zod-openapi";
import { refuseProtoKey } from "./reserved.ts";

const MAX_VALUE_BYTES = 16 * 1024;
const MAX_FIELDS = 100;
const utf8 = new TextEncoder();

export const KeyParam = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/,
    "must start with a letter or digit and use only A-Z a-z 0-9 : . _ -",
  )
  .openapi({ param: { name: "key", in: "path" }, example: "car" });

export const FieldParam = z
  .string()
  .min(1)
  .max(128)
  .openapi({ param: { name: "field", in: "path" }, example: "model" });

// Unpaired surrogates cannot be stored as UTF-8: Redis would keep U+FFFD instead of what was sent.
const wellFormed = { message: "must be valid Unicode text (no unpaired surrogates)" };

const FieldName = z
  .string()
  .min(1)
  .max(128)
  .refine((name) => name.isWellFormed(), wellFormed);

const FieldValue = z
  .union([z.string().refine((value) => value.isWellFormed(), wellFormed), z.number(), z.boolean()])
  .refine((value) => typeof value !== "string" || utf8.encode(value).length <= MAX_VALUE_BYTES, {
    message: `must be at most ${MAX_VALUE_BYTES} bytes`,
  });

/** A hash as sent: field names 1–128 characters, 1–100 fields, values up to 16 KiB. */
export const HashBody = refuseProtoKey(
  z
    .record(FieldName, FieldValue)
    .refine((fields) => Object.keys(fields).length >= 1, { message: "must have at least one field" })
    .refine((fields) => Object.keys(fields).length <= MAX_FIELDS, {
      message: `must have at most ${MAX_FIELDS} fields`,
    }),
).openapi("HashBody", { example: { make: "Toyota", model: "Corolla", year: 2021 } });

export const TtlQuery = z.object({
  ttl: z.coerce
    .number()
    .int()
    .min(1)
    .max(31_536_000)
    .optional()
    .openapi({ description: "Seconds until the hash expires; omit to keep it forever." }),
});

/** A hash as stored: every value is the exact string Redis holds. */
export const Hash = z
  .object({
    key: z.string(),
    fields: z.record(z.string(), z.string()),
    ttl: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Seconds left, or null when the hash never expires." }),
  })
  .openapi("Hash");

export const HashField = z
  .object({ key: z.string(), field: z.string(), value: z.string() })
  .openapi("HashField");

export const FanoutEntry = z.object({
  name: z.string(),
  ok: z.boolean(),
  fields: z.record(z.string(), z.string()).optional().openapi({
    description: "Empty when the hash does not exist in this database (Redis has no empty hashes).",
  }),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  ms: z.number(),
});

export const Fanout = z
  .object({ key: z.string(), instances: z.array(FanoutEntry), elapsedMs: z.number(), sumMs: z.number() })
  .openapi("RedisFanout");
