import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      /** Read from migrations/d1 by vitest.config.ts and applied before each test file. */
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
