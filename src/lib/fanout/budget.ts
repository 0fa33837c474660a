/**
 * Subrequests one invocation may make on the Workers Free plan. Past it, `fetch()` throws "Too many
 * subrequests", so the fan-out counts its own and reports the URLs it could not afford instead.
 *
 * @example
 * ```ts
 * const budget = createBudget(FREE_PLAN_SUBREQUESTS);
 * ```
 */
export const FREE_PLAN_SUBREQUESTS = 50;

/**
 * The Paid plan's per-invocation limit: the most `SUBREQUEST_BUDGET` may ask for.
 *
 * @example
 * ```ts
 * const budget = createBudget(Math.min(wanted, PAID_PLAN_SUBREQUESTS));
 * ```
 */
export const PAID_PLAN_SUBREQUESTS = 10_000;

/** A count of subrequests against a fixed allowance. */
export interface SubrequestBudget {
  /** Claims one subrequest; false once the allowance is spent (and from then on `exhausted` is true). */
  take(): boolean;
  readonly used: number;
  readonly limit: number;
  /** Whether some subrequest was refused for lack of budget. */
  readonly exhausted: boolean;
}

/**
 * Creates a budget of `limit` subrequests.
 *
 * @example
 * ```ts
 * const budget = createBudget(50);
 * if (!budget.take()) return { error: "subrequest budget spent" };
 * await fetch(url);
 * ```
 */
export function createBudget(limit: number): SubrequestBudget {
  let used = 0;
  let exhausted = false;
  return {
    take() {
      if (used >= limit) {
        exhausted = true;
        return false;
      }
      used++;
      return true;
    },
    get used() {
      return used;
    },
    get limit() {
      return limit;
    },
    get exhausted() {
      return exhausted;
    },
  };
}

/**
 * The allowance for one request: the optional `SUBREQUEST_BUDGET` variable (set it to up to 10000 on the Paid
 * plan), else the Free plan's 50. A value that is not a whole number in range falls back to 50, so a typo can
 * only make the Worker more careful, never let it hit the platform's hard error.
 *
 * @example
 * ```ts
 * const budget = createBudget(subrequestBudgetOf(c.env)); // 50 unless SUBREQUEST_BUDGET says otherwise
 * ```
 */
export function subrequestBudgetOf(env: Pick<Env, "SUBREQUEST_BUDGET">): number {
  const raw = env.SUBREQUEST_BUDGET?.trim();
  const value = raw ? Number(raw) : Number.NaN;
  return Number.isInteger(value) && value >= 1 && value <= PAID_PLAN_SUBREQUESTS
    ? value
    : FREE_PLAN_SUBREQUESTS;
}
