import type { HealthCheck } from "./health.ts";
import { checkRedis } from "./redis.ts";
import { checkSql } from "./sql/index.ts";

/** The backends /health probes; a pattern with a backend adds its check here. */
export const probes: Record<string, HealthCheck> = { redis: checkRedis, sql: checkSql };
