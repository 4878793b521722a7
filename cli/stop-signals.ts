/**
 * Stopping a long command from outside — Ctrl-C (SIGINT), `kill`/`timeout`/`docker stop` (SIGTERM), a
 * closed terminal (SIGHUP) — without losing its work: the first signal asks the work to stop at the next
 * safe point (a training run saves there), a second one quits at once. The exit code then says which
 * signal stopped it (128 + its number), as shells expect, never 0.
 */
const CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignalName = keyof typeof CODES;

export interface StopSignals {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** The exit code the signal asks for (130, 143, 129), or undefined when none came. */
  exitCode(): number | undefined;
  /** Removes the handlers (the process's default behaviour returns). */
  dispose(): void;
}

/**
 * @example
 * const stop = onStopSignals((l) => process.stderr.write(l + '\n'), 'stopping after this step and saving');
 * try { await trainer.run({ signal: stop.signal }); } finally { stop.dispose(); }
 * if (stop.exitCode()) process.exitCode = stop.exitCode();
 */
export function onStopSignals(log: (line: string) => void, what: string): StopSignals {
  const controller = new AbortController();
  let received: StopSignalName | null = null;
  let receivedAt = 0;
  const handlers = new Map<StopSignalName, () => void>();
  for (const name of Object.keys(CODES) as StopSignalName[]) {
    const handler = (): void => {
      // Signals sent while the work held the thread (an evaluation) are handled together when it lets
      // go: a second one within the same moment is the same impatience, not a request to lose the save.
      if (received && performance.now() - receivedAt < 1000) return;
      if (received) process.exit(CODES[received]);
      received = name;
      receivedAt = performance.now();
      log(`\n${name}: ${what} (send it again to quit at once, without saving)…`);
      controller.abort();
    };
    handlers.set(name, handler);
    process.on(name, handler);
  }
  return {
    signal: controller.signal,
    exitCode: () => (received ? CODES[received] : undefined),
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
