import * as z from "zod/mini";
import { doc, named } from "./doc.ts";
import { BackendFailureSchema } from "./errors.ts";

const MAX_VALUE_BYTES = 16 * 1024;
const MAX_FIELDS = 100;
const utf8 = new TextEncoder();

// Unpaired surrogates cannot be stored as UTF-8: Redis would keep U+FFFD instead of what was sent.
const wellFormed = { message: "must be valid Unicode text (no unpaired surrogates)" };

const KeySchema = doc(
  z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/,
        "must start with a letter or digit and use only A-Z a-z 0-9 : . _ -",
      ),
    ),
  { example: "car" },
);

const FieldNameSchema = z.string().check(z.minLength(1), z.maxLength(128));

/** `/redis/hashes/{key}` and `/redis/fanout/{key}`. */
export const HashPathSchema = z.object({ key: KeySchema });

/** `/redis/hashes/{key}/fields/{field}`. */
export const FieldPathSchema = z.object({
  key: KeySchema,
  field: doc(FieldNameSchema, { example: "model" }),
});

const FieldValueSchema = z
  .union([z.string().check(z.refine((value) => value.isWellFormed(), wellFormed)), z.number(), z.boolean()])
  .check(
    z.refine((value) => typeof value !== "string" || utf8.encode(value).length <= MAX_VALUE_BYTES, {
      message: `must be at most ${MAX_VALUE_BYTES} bytes`,
    }),
  );

/** A hash as sent: field names 1–128 characters, 1–100 fields, values up to 16 KiB. */
export const HashBodySchema = named(
  "HashBody",
  doc(
    z
      .record(FieldNameSchema.check(z.refine((name) => name.isWellFormed(), wellFormed)), FieldValueSchema)
      .check(
        z.refine((fields) => Object.keys(fields).length >= 1, { message: "must have at least one field" }),
        z.refine((fields) => Object.keys(fields).length <= MAX_FIELDS, {
          message: `must have at most ${MAX_FIELDS} fields`,
        }),
      ),
    { example: { make: "Toyota", model: "Corolla", year: 2021 } },
  ),
);

export const TtlQuerySchema = z.object({
  ttl: doc(z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(31_536_000))), {
    description: "Seconds until the hash expires; omit to keep it forever.",
  }),
});

/** A hash as stored: every value is the exact string Redis holds. */
export const HashSchema = named(
  "Hash",
  z.object({
    key: z.string(),
    fields: z.record(z.string(), z.string()),
    ttl: doc(z.nullable(z.int()), { description: "Seconds left, or null when the hash never expires." }),
  }),
);

export const HashFieldSchema = named(
  "HashField",
  z.object({ key: z.string(), field: z.string(), value: z.string() }),
);

export const RedisFanoutSchema = named(
  "RedisFanout",
  z.object({
    key: z.string(),
    instances: z.array(
      z.object({
        name: z.string(),
        ok: z.boolean(),
        fields: doc(z.optional(z.record(z.string(), z.string())), {
          description: "Empty when the hash does not exist in this database (Redis has no empty hashes).",
        }),
        error: z.optional(BackendFailureSchema),
        ms: z.number(),
      }),
    ),
    elapsedMs: z.number(),
    sumMs: z.number(),
  }),
);

export type Hash = z.infer<typeof HashSchema>;
export type RedisFanout = z.infer<typeof RedisFanoutSchema>;
