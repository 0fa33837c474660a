import type { HealthCheck } from "../lib/health.ts";
import { checkRedis } from "../lib/redis.ts";
import { checkSql } from "../lib/sql/index.ts";

/** The backends /health probes; each pattern with a backend adds its check here. */
export const probes: Record<string, HealthCheck> = { redis: checkRedis, sql: checkSql };
