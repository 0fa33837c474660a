import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Three projects: `worker` runs the Worker inside workerd (the real runtime, with HTMLRewriter and
 * service bindings), `node` runs the local emulators and the end-to-end stack in plain Node, `browser` drives
 * Debian's Chromium against that stack.
 * The worker project's global setup starts real backends and the emulators once per run; the node
 * project's suites start their own, because they stop and restart them on purpose.
 */
export default defineConfig({
  test: {
    // At the root, not in the worker project: there it would be loaded with workerd's module conditions,
    // and the Node-side emulators must load as Node code.
    globalSetup: ["test/setup/global.ts"],
    projects: [
      {
        extends: false,
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ...inject("workerBindings"),
                TEST_MIGRATIONS: await readD1Migrations("migrations/d1"),
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          setupFiles: ["test/worker/apply-migrations.ts"],
        },
      },
      {
        extends: false,
        test: {
          name: "node",
          environment: "node",
          include: ["test/emulators/**/*.test.ts", "test/e2e/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Debian's Chromium against `npm run dev`; the suite starts its own stack, like the e2e tests.
        extends: false,
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
