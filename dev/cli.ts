/**
 * `npm run dev`: the Worker on http://127.0.0.1:8787 in development mode, offline.
 */
import { spawn } from "node:child_process";

const wrangler = spawn(
  "npx",
  ["wrangler", "dev", "--ip", "127.0.0.1", "--port", "8787", "--var", "ENVIRONMENT:development"],
  {
    stdio: "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => wrangler.kill(signal));
wrangler.on("exit", (code) => process.exit(code ?? 0));
