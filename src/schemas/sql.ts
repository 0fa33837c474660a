import { z } from "@hono/zod-openapi";
import { refuseProtoKey } from "./reserved.ts";

const MAX_SPECS_BYTES = 8 * 1024;
// MariaDB's JSON check allows 32 levels (MySQL 8: 100); the stricter one keeps every backend answering alike.
const MAX_SPECS_DEPTH = 32;

// Unpaired surrogates cannot be stored as UTF-8: the database would keep U+FFFD instead of what was sent.
const wellFormed = { message: "must be valid Unicode text (no unpaired surrogates)" };

function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

export const IdParam = z
  .string()
  .regex(/^[1-9]\d{0,18}$/, "must be a positive integer id")
  .openapi({ param: { name: "id", in: "path" }, example: "1" });

// VARCHAR(64) text that stores as sent.
const name64 = (example: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .refine((text) => text.isWellFormed(), wellFormed)
    .openapi({ example });
const Make = name64("Toyota");
const Model = name64("Corolla");
const Year = z.number().int().min(1886).max(2100).openapi({ example: 2021 });
const Price = z
  .string()
  .regex(
    /^\d{1,8}(\.\d{1,2})?$/,
    'must be a decimal string with at most 8 digits and 2 decimals, e.g. "18999.00"',
  )
  .openapi({ example: "18999.00" });
const Specs = refuseProtoKey(z.record(z.string(), z.unknown()))
  .nullable()
  .refine((specs) => new TextEncoder().encode(JSON.stringify(specs)).length <= MAX_SPECS_BYTES, {
    message: `must be at most ${MAX_SPECS_BYTES} bytes of JSON`,
  })
  .refine((specs) => depthOf(specs) <= MAX_SPECS_DEPTH, {
    message: `must nest at most ${MAX_SPECS_DEPTH} levels`,
  })
  .openapi({ example: { engine: "1.8L", hp: 139 } });

export const NewCarBody = z
  .object({ make: Make, model: Model, year: Year, price: Price, specs: Specs.optional() })
  .strict()
  .openapi("NewCar");

export const CarPatchBody = NewCarBody.partial()
  .strict()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: "must change at least one of make, model, year, price, specs",
  })
  .openapi("CarPatch");

export const ListQuery = z.object({
  make: Make.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, "must be a nextCursor value from a previous page")
    .optional()
    .openapi({ description: "The `nextCursor` of the previous page (keyset pagination by id)." }),
});

export const Car = z
  .object({
    id: z.string(),
    make: z.string(),
    model: z.string(),
    year: z.number().int(),
    price: z.string(),
    specs: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string().openapi({ example: "2026-11-21T06:59:00.123Z" }),
  })
  .openapi("Car");

export const CarPage = z
  .object({ items: z.array(Car), nextCursor: z.string().nullable() })
  .openapi("CarPage");

export const Stats = z
  .object({
    byMake: z.array(z.object({ make: z.string(), count: z.number().int(), avgPrice: z.string() })),
    total: z.number().int(),
  })
  .openapi("CarStats");

export const SqlFanout = z
  .object({
    databases: z.array(
      z.object({
        name: z.string(),
        ok: z.boolean(),
        result: Stats.optional(),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
        ms: z.number(),
      }),
    ),
    elapsedMs: z.number(),
    sumMs: z.number(),
  })
  .openapi("SqlFanout");
