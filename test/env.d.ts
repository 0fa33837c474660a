import type { D1Migration } from "cloudflare:test";
import type { Secrets } from "../src/env.ts";

// Types `env` from `cloudflare:workers` (and `cloudflare:test`) as the tests get it: wrangler.toml's bindings
// (worker-configuration.d.ts), the secrets test/setup/global.ts provides, and the test-only bindings below.
declare global {
  namespace Cloudflare {
    interface Env extends Secrets {
      /** Read from migrations/d1 by vitest.config.ts and applied before each test file. */
      TEST_MIGRATIONS: D1Migration[];
      /** The local website /fetch and /crawl are tested against (test/setup/origin.ts). */
      TEST_ORIGIN_URL: string;
      /** The fault harness: dedicated backends to kill and pause, and a faulty upstream (test/setup/faults.ts). */
      FAULT_CONTROL_URL: string;
    }
  }
}
