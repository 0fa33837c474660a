import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// D1 storage is isolated per test file, so every file starts from the migrated, empty schema.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
