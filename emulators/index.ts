/**
 * The package's API, for apps and test suites that start the endpoints themselves (e.g. in a vitest globalSetup)
 * instead of running `edge-emulators`.
 */
export { type MysqlBackend, startMariaDb } from "./backends/mariadb.ts";
export { type RedisBackend, startRedis } from "./backends/redis.ts";
export { type EndpointOptions, readEndpointOptions } from "./options.ts";
export { type PlanetScaleEmulator, startPlanetScaleEmulator } from "./planetscale/server.ts";
export { type Endpoints, startEndpoints } from "./stack.ts";
export { Supervisor } from "./supervise.ts";
export { startUpstashEmulator, type UpstashEmulator } from "./upstash/server.ts";
