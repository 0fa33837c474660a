import * as v from "valibot";
import { named } from "./doc.ts";

export const IndexSchema = v.object({
  name: v.string(),
  docs: v.string(),
  patterns: v.array(v.object({ name: v.string(), path: v.string(), example: v.string() })),
});

const CheckSchema = v.object({
  status: v.picklist(["ok", "degraded", "unconfigured"]),
  ms: v.number(),
  /** Which backend answered, e.g. "upstash 127.0.0.1:8079" or "d1". */
  backend: v.optional(v.string()),
  message: v.optional(v.string()),
});

/** `/health`: one check per backend; the route answers 503 when any is not ok. */
export const HealthSchema = named(
  "Health",
  v.object({ status: v.picklist(["ok", "degraded"]), checks: v.record(v.string(), CheckSchema) }),
);

/** One backend's state as /health reports it. */
export type Check = v.InferOutput<typeof CheckSchema>;
