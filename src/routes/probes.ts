import type { HealthCheck } from "../lib/health.ts";

/** The backends /health probes; each pattern with a backend adds its check here. */
export const probes: Record<string, HealthCheck> = {};
