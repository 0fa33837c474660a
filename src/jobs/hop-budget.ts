import type { Fanout } from "../lib/fanout/engine.ts";

/** Subrequests promised so far in one invocation (robots.txt, sitemaps, pages, hops) and the most allowed. */
export interface InvocationBudget {
  spent: number;
  limit: number;
}

/**
 * The fan-out as one page sees it: each redirect hop that passes the page's own checks also needs a subrequest
 * left in the invocation's budget. Without one the hop is skipped, not requested (the page keeps its 3xx and
 * names the target in `redirectedTo`, as for a target already seen), and `deferred()` answers the target, for
 * the job to queue as a URL of its own. So a page is never cut off halfway and no URL is requested twice.
 *
 * @example
 * ```ts
 * const budgeted = withHopBudget(fanout, budget);
 * const { page } = await visitPage(budgeted.fanout, url, depth, scope);
 * const moved = budgeted.deferred(); // queue it, when set
 * ```
 */
export function withHopBudget(fanout: Fanout, budget: InvocationBudget) {
  let deferred: URL | undefined;
  // Inherits the engine's live getters (subrequests, maxInFlight...) and replaces only `fetch`.
  const budgeted: Fanout = Object.create(fanout);
  budgeted.fetch = (url, request) =>
    fanout.fetch(url, {
      ...request,
      checkHop: function checkBudgetedHop(next) {
        const verdict = request.checkHop(next);
        if (verdict !== undefined) return verdict;
        if (budget.spent >= budget.limit) {
          deferred = next;
          return "skip";
        }
        budget.spent++;
        return undefined;
      },
    });
  return { fanout: budgeted, deferred: () => deferred };
}
