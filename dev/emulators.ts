/**
 * `npm run emulators`: the emulators' `edge-emulators` command (emulators/cli.ts), with this project's
 * migrations and seed applied once the endpoints answer, so the Worker's routes find their tables and data.
 * Same settings as `npm run dev` (UPSTASH_PORT, PLANETSCALE_PORT, DATA_DIR, REDIS_URL, DATABASE_URL, DEV_SQL, CI).
 */
import { runEmulators } from "../emulators/cli.ts";
import { prepareStack } from "./stack.ts";

if (import.meta.main) {
  const code = await runEmulators(process.argv.slice(2), {
    command: "npm run emulators",
    prepare: async (endpoints) => {
      await prepareStack(endpoints);
      return ["MySQL migrated and both stores seeded for this project's Worker."];
    },
  });
  process.exit(code);
}
