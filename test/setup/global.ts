import type { TestProject } from "vitest/node";

declare module "vitest" {
  interface ProvidedContext {
    workerBindings: Record<string, string>;
  }
}

/**
 * Starts what the Worker talks to, once per run, and hands the Worker their addresses as bindings.
 */
export default async function setup(project: TestProject) {
  const bindings: Record<string, string> = {
    ENVIRONMENT: "development",
    API_TOKEN: "test-api-token",
  };
  project.provide("workerBindings", bindings);
  return async function teardown() {};
}
