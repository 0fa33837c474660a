/**
 * Shutdown for the CLIs (`edge-emulators`, `npm run dev`): Ctrl-C (or SIGTERM) aborts startup or ends the session, and everything started is
 * stopped in reverse order, so no redis-server, mariadbd, wrangler or workerd outlives the command.
 */
import { constants } from "node:os";

/** A failure the user can fix; its message is the whole explanation, so no stack trace is printed. */
export class StartupError extends Error {
  override name = "StartupError";
}

/**
 * The abort reason after Ctrl-C or SIGTERM: a requested stop, not a failure.
 *
 * @example
 * ```ts
 * if (supervisor.signal.reason instanceof Interrupted) process.exitCode = supervisor.signal.reason.exitCode; // 130
 * ```
 */
export class Interrupted extends Error {
  override name = "Interrupted";
  /** 128 + the signal's number, as shells report a command ended by that signal. */
  readonly exitCode: number;

  constructor(signal: NodeJS.Signals) {
    super(`Stopped by ${signal}.`);
    this.exitCode = 128 + (constants.signals[signal] ?? 0);
  }
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Holds the cleanups of everything started so far and turns the first termination signal into an abort.
 *
 * @example
 * ```ts
 * const supervisor = new Supervisor();
 * supervisor.trapSignals();
 * const redis = await startRedis();
 * supervisor.defer("Redis", () => redis.stop());
 * supervisor.signal.throwIfAborted();
 * await supervisor.stopAll();
 * ```
 */
export class Supervisor {
  readonly #controller = new AbortController();
  readonly #cleanups: { name: string; stop: () => Promise<void> }[] = [];
  /** Aborted on the first SIGINT, SIGTERM or SIGHUP; long waits listen to it. */
  readonly signal: AbortSignal = this.#controller.signal;
  /** Settles with the reason when the first signal arrives (or at once, if one already has). */
  readonly stopRequested: Promise<Interrupted> = new Promise((resolve) =>
    this.signal.addEventListener("abort", () => resolve(this.signal.reason as Interrupted), { once: true }),
  );

  /** The first signal starts an orderly stop; a second one exits at once (the watchdogs then clean up). */
  trapSignals(): void {
    for (const name of SIGNALS) {
      process.on(name, () => {
        if (this.signal.aborted) process.exit(130);
        this.#controller.abort(new Interrupted(name));
      });
    }
  }

  /** Registers how to stop something that has started. */
  defer(name: string, stop: () => Promise<void>): void {
    this.#cleanups.push({ name, stop });
  }

  /** Stops everything in reverse start order; a failing stop is reported and does not keep the others running. */
  async stopAll(log: (line: string) => void): Promise<void> {
    for (const { name, stop } of this.#cleanups.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`Stopping ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
