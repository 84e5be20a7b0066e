// The town's wisp sweep: removes wisps older than the time-to-live, once at start and then every
// `everyMs`. Invariants: one sweep at a time; a failed sweep is logged and retried at the next tick;
// stop() waits for a sweep in flight. Sweeping never makes a Dolt commit (wisps.ts).
import type { Ledger } from './ledger.ts';

export interface WispSweeper { stop(): Promise<void> }

export function startWispSweeper(ledger: Ledger, opts: { ttlMs: number; everyMs: number; log: (line: string) => void }): WispSweeper {
  let running: Promise<void> | null = null;
  const sweep = (): void => {
    if (running) return;
    running = ledger.sweepWisps({ ttlMs: opts.ttlMs }, 'town')
      .then((removed) => { if (removed.length) opts.log(`wisp sweep: removed ${removed.length} expired wisp(s)`); })
      .catch((e: Error) => opts.log(`wisp sweep failed (retried next time): ${e.message}`))
      .finally(() => { running = null; });
  };
  sweep();
  const timer = setInterval(sweep, opts.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
