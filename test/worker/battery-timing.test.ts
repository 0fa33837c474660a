import fc from "fast-check";
import { describe, it } from "vitest";
import { badInteger, queryString, withRequestId } from "./battery-arbitraries.ts";
import { expectRejected, type Rejection, runs, send } from "./battery-support.ts";

const option = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const get = (path: string, allowed: number[]): Rejection => ({
  probe: { method: "GET", path, headers: {} },
  allowed,
});

/** `/timing/delay` with an `ms` outside 0..10000 (or not a number, or given twice). */
const badDelay = fc
  .oneof(
    badInteger(0, 10_000).map((ms): [string, string][] => [["ms", ms]]),
    fc.constant<[string, string][]>([
      ["ms", "1"],
      ["ms", "2"],
    ]),
  )
  .map((params) => get(`/timing/delay${queryString(params)}`, [400]));

/**
 * The task runners with `tasks` outside 1..20 and/or `ms` outside 0..5000. Every probe has at least one defect, so
 * none of them waits: a valid one would sleep for up to 100 s.
 */
const badRun = fc
  .record({
    route: fc.constantFrom("sequential", "concurrent", "compare"),
    tasks: option(fc.oneof(badInteger(1, 20), fc.constant("1&tasks=2"))),
    ms: option(badInteger(0, 5000)),
  })
  .filter(({ tasks, ms }) => tasks !== undefined || ms !== undefined)
  .map(({ route, tasks, ms }) => {
    const params: [string, string][] = [];
    if (ms !== undefined) params.push(["ms", ms]);
    else params.push(["ms", "0"]);
    if (tasks !== undefined && !tasks.includes("&")) params.push(["tasks", tasks]);
    const duplicate = tasks?.includes("&") ? "&tasks=1&tasks=2" : "";
    return get(`/timing/${route}${queryString(params)}${duplicate}`, [400]);
  });

const wrongRoute = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
      fc.constantFrom("sync", "delay?ms=0", "sequential", "concurrent", "compare"),
    )
    .map(
      ([method, path]): Rejection => ({
        probe: { method, path: `/timing/${path}`, headers: { "content-type": "application/json" } },
        allowed: [405],
      }),
    ),
  fc
    .constantFrom(
      "/timing",
      "/timing/",
      "/timing/sleep",
      "/timing/sync/x",
      "/timing/%2e%2e/redis",
      "/timing/..%2Fsync",
    )
    .map((path) => get(path, [404])),
);

describe("timing bad-input battery", () => {
  it("answers 300 malformed /timing requests with a 4xx in the error shape, without waiting", async () => {
    const request = withRequestId(
      fc.oneof(
        { weight: 3, arbitrary: badDelay },
        { weight: 4, arbitrary: badRun },
        { weight: 2, arbitrary: wrongRoute },
      ),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ probe, allowed }) => {
        await expectRejected(await send(probe, ""), allowed, probe);
      }),
      runs(300),
    );
  }, 60_000);
});
