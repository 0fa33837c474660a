/** The shape of one run's results: what the JSON file holds and what the reports render. */
import type { CrawlRow } from "./crawl.ts";
import type { EndToEndRow } from "./e2e.ts";
import type { Comparison } from "./load.ts";
import type { Machine } from "./machine.ts";
import type { SizeResult } from "./size.ts";
import type { TimingRow } from "./timing.ts";

/** How long and how often each section measured. */
export interface Plan {
  /** Requests per /timing case and crawls per concurrency (the median is reported). */
  runs: number;
  /** Measured window and warm-up of each endpoint-vs-direct load, per operation, concurrency and path. */
  loadMs: number;
  warmupMs: number;
  endToEndSeconds: number;
  /** HTTP connections of the end-to-end load. */
  connections: number;
  /** `wrangler check startup` profiles per bundle, ours and the hello world interleaved. */
  startupRuns: number;
  /** Fresh Node processes per bundle timing its import, interleaved likewise. */
  evalRuns: number;
}

/** Everything one run measured, and where. */
export interface Results {
  startedAt: string;
  mode: "quick" | "full";
  seconds: number;
  machine: Machine;
  servers: {
    /** Versions: "redis-server 7.0.15", "10.11.19-MariaDB-…". */
    redis: string;
    mysql: string;
    /** Where this run's throwaway redis-server listened; the smoke test checks nothing listens there afterwards. */
    redisUrl: string;
    workerReadyMs: number;
  };
  plan: Plan;
  timing: TimingRow[];
  crawl: CrawlRow[];
  redis: Comparison[];
  sql: Comparison[];
  endToEnd: EndToEndRow[];
  size: SizeResult;
}
