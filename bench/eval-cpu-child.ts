/**
 * Child process of eval-cpu.ts: `node bench/eval-cpu-child.ts <bundle.js>` imports one built Worker bundle in a
 * fresh process and prints the CPU time that took, in milliseconds. The Worker's global scope runs at import, so
 * this is what a cold start evaluates, measured with less noise than a workerd profile.
 */
import { registerHooks } from "node:module";
import { pathToFileURL } from "node:url";

// Workers-only modules (`cloudflare:workers` and friends) do not exist in Node: the bundle only needs them to
// link and define its classes, so one stub with the names bundles import stands in for all of them.
const CLOUDFLARE_STUB = [
  "export class DurableObject {}",
  "export class WorkflowEntrypoint {}",
  "export class WorkerEntrypoint {}",
  "export class RpcTarget {}",
  "export const env = {};",
].join("\n");

// registerHooks runs in this thread (unlike module.register's loader thread), so the hook costs no extra thread.
registerHooks({
  resolve: function resolveCloudflareStub(specifier, context, nextResolve) {
    if (!specifier.startsWith("cloudflare:")) return nextResolve(specifier, context);
    return { url: `data:text/javascript,${encodeURIComponent(CLOUDFLARE_STUB)}`, shortCircuit: true };
  },
});

const bundle = process.argv[2];
if (!bundle) {
  console.error("Usage: node bench/eval-cpu-child.ts <bundle.js>");
  process.exit(2);
}
const url = pathToFileURL(bundle).href;
const before = process.cpuUsage();
await import(url);
const used = process.cpuUsage(before);
console.log(JSON.stringify({ cpuMs: (used.user + used.system) / 1000 }));
// A global scope that started a timer would keep this process alive; its figure is already out.
process.exit(0);
