// One town's exchange with the commons' upstream: fetch, merge by the commons' rules (claim-rules.ts),
// push; a rejected push (another town pushed first) goes round again. Used by the Wasteland and by
// the scale bench's simulated towns, so both run the very same protocol.
//
// Invariants:
//   - The loop ends with this town's commits on the upstream (pushed), or offline (the upstream could
//     not be reached: local commits wait), or an error after maxRounds rejected pushes.
//   - Every claim attempt of this town that the merged commons gives to another town is marked
//     `lost` inside the merge commit, and reported once (in the sync that learned it).
import type mysql from 'mysql2/promise';
import { TownError } from '../../../preload/errors.ts';
import { nowSql } from '../../ledger/write-tx.ts';
import { backoffDelay } from '../../lib/restart-policy.ts';
import { commonsRules } from './claim-rules.ts';
import { fetchRemote, mergeRemote, pushRemote, rows, type MergeReport } from './dolt-sync.ts';

export interface ExchangeResult {
  pulled: MergeReport['outcome'] | 'offline';
  pushed: boolean;
  conflicts: number;
  lost: string[];
  /** Rejected pushes before the one that landed. */
  retries: number;
  /** Time spent in each step, summed over rounds (ms): where a slow sync spends it. */
  ms: { fetch: number; merge: number; push: number };
  offline?: string;
}

/** Waits between rounds after a rejected push (restart-policy's backoff: doubling, half jittered). */
const PUSH_BACKOFF = { baseMs: 40, maxMs: 3000 };

export async function exchangeWithUpstream(
  c: mysql.Connection, opts: { identity: string; remoteUser?: string; remote?: string; maxRounds?: number },
): Promise<ExchangeResult> {
  const remote = opts.remote ?? 'origin';
  const maxRounds = opts.maxRounds ?? 6;
  const result: ExchangeResult = { pulled: 'up-to-date', pushed: false, conflicts: 0, lost: [], retries: 0, ms: { fetch: 0, merge: 0, push: 0 } };
  let t = performance.now();
  const lap = (step: keyof ExchangeResult['ms']): void => {
    const now = performance.now();
    result.ms[step] += now - t;
    t = now;
  };
  for (let round = 1; round <= maxRounds; round++) {
    t = performance.now();
    try {
      await fetchRemote(c, remote, opts.remoteUser);
      lap('fetch');
    } catch (e) {
      if (TownError.from(e).code === 'unavailable') return { ...result, pulled: 'offline', offline: (e as Error).message };
      throw e;
    }
    const lost: string[] = [];
    const merged = await mergeRemote(c, remote, commonsRules(opts.identity, lost), `wl sync: merge ${remote}/main`, async (tx) => {
      const stale = await rows<{ wanted_id: string }>(tx,
        "SELECT a.wanted_id FROM claim_attempts a JOIN wanted w ON w.id = a.wanted_id WHERE a.town = ? AND a.outcome = 'claimed' AND (w.claimed_by IS NULL OR w.claimed_by <> ?)",
        [opts.identity, opts.identity]);
      for (const s of stale) {
        await tx.query("UPDATE claim_attempts SET outcome = 'lost', at = ? WHERE wanted_id = ? AND town = ?", [nowSql(), s.wanted_id, opts.identity]);
        if (!lost.includes(s.wanted_id)) lost.push(s.wanted_id);
      }
    });
    lap('merge');
    result.pulled = merged.outcome;
    result.conflicts += merged.conflicts;
    for (const l of lost) if (!result.lost.includes(l)) result.lost.push(l);
    if (merged.outcome === 'aborted') throw new TownError('conflict', `wl sync: ${merged.reason}`);
    try {
      await pushRemote(c, remote, opts.remoteUser);
      lap('push');
      result.pushed = true;
      return result;
    } catch (e) {
      lap('push');
      const err = TownError.from(e);
      if (err.code === 'unavailable') return { ...result, offline: err.message };
      if (err.code !== 'conflict' || round === maxRounds) throw err;
      result.retries++;
      // Exponential, jittered: towns that lost the same race spread out instead of all fetching
      // again at once (with a linear wait, 32 towns on one commons spent their rounds colliding).
      await new Promise((r) => setTimeout(r, backoffDelay(round, PUSH_BACKOFF, Math.random())));
    }
  }
  return result;
}
