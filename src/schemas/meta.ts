import * as z from "zod/mini";
import { named } from "./doc.ts";

export const IndexSchema = z.object({
  name: z.string(),
  docs: z.string(),
  patterns: z.array(z.object({ name: z.string(), path: z.string(), example: z.string() })),
});

const CheckSchema = z.object({
  status: z.enum(["ok", "degraded", "unconfigured"]),
  ms: z.number(),
  /** Which backend answered, e.g. "upstash 127.0.0.1:8079" or "d1". */
  backend: z.optional(z.string()),
  message: z.optional(z.string()),
});

/** `/health`: one check per backend; the route answers 503 when any is not ok. */
export const HealthSchema = named(
  "Health",
  z.object({ status: z.enum(["ok", "degraded"]), checks: z.record(z.string(), CheckSchema) }),
);

/** One backend's state as /health reports it. */
export type Check = z.infer<typeof CheckSchema>;
