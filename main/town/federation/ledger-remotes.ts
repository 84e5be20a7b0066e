// The town ledger's remotes: add / list / remove (Dolt remotes of the town's database) and sync
// (DOLT_PUSH; DOLT_FETCH then a merge settled by merge-rules.ts). What a pull could not merge is
// raised as an escalation (the overseer's inbox) with the remote's version of each row.
//
// Invariants:
//   - A pull merges whole or not at all (dolt-sync.ts); after a merge the ledger's derived
//     is_blocked flags are recomputed in one more commit.
//   - Every sync's outcome per remote and direction is kept (ephemeral, never a commit) for status.
import type { Ledger } from '../../ledger/ledger.ts';
import type { DoltConnection } from '../../ledger/dolt-server.ts';
import { TownError } from '../../../preload/errors.ts';
import type { RemoteSyncState, RemoteStatus, SyncDirection, SyncReport } from '../../../preload/requests/federation-types.ts';
import {
  addRemote, FEDERATION_ACTOR, fetchRemote, listRemotes, mergeRemote, openConnection, pushRemote, removeRemote, type MergeReport,
} from './dolt-sync.ts';
import { LEDGER_RULES } from './merge-rules.ts';

const SCOPE = 'federation-sync';

export interface LedgerRemotesDeps {
  conn: DoltConnection;
  ledger: Ledger;
  /** The user presented to remotesapi remotes (`--user`). */
  remoteUser?: string;
  /** Raises what a pull could not merge to the inbox; returns the escalation's id. */
  escalate(message: string, details: Record<string, unknown>): Promise<string | null>;
  log(line: string): void;
}

export class LedgerRemotes {
  constructor(private readonly d: LedgerRemotesDeps) {}

  private async withConnection<T>(fn: (c: Awaited<ReturnType<typeof openConnection>>) => Promise<T>): Promise<T> {
    const c = await openConnection(this.d.conn, this.d.conn.database);
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => c.destroy());
    }
  }

  async list(): Promise<RemoteStatus[]> {
    const remotes = await this.withConnection((c) => listRemotes(c));
    const out: RemoteStatus[] = [];
    for (const r of remotes) {
      out.push({ ...r, push: await this.state(r.name, 'push'), pull: await this.state(r.name, 'pull') });
    }
    return out;
  }

  add(name: string, url: string): Promise<RemoteStatus> {
    return this.withConnection(async (c) => ({ ...(await addRemote(c, name, url)), push: null, pull: null }));
  }

  async remove(name: string): Promise<void> {
    await this.withConnection((c) => removeRemote(c, name));
    await this.d.ledger.deleteEphemeral(SCOPE, `${name}:push`).catch(() => undefined);
    await this.d.ledger.deleteEphemeral(SCOPE, `${name}:pull`).catch(() => undefined);
  }

  private async state(name: string, dir: 'push' | 'pull'): Promise<RemoteSyncState | null> {
    const row = await this.d.ledger.getEphemeral(SCOPE, `${name}:${dir}`).catch(() => null);
    return (row?.value as RemoteSyncState | undefined) ?? null;
  }

  private async record(name: string, dir: 'push' | 'pull', ok: boolean, message: string): Promise<void> {
    await this.d.ledger.setEphemeral(SCOPE, `${name}:${dir}`, { at: Date.now(), ok, message } satisfies RemoteSyncState).catch(() => undefined);
  }

  /** `gt sync [push|pull] [NAME]`: every remote when no name; pull then push when no direction. */
  async sync(direction: SyncDirection, name?: string): Promise<SyncReport[]> {
    const remotes = await this.withConnection((c) => listRemotes(c));
    const targets = name ? remotes.filter((r) => r.name === name) : remotes;
    if (name && !targets.length) throw new TownError('not_found', `no remote named ${name} (gt remote list)`);
    const reports: SyncReport[] = [];
    for (const r of targets) {
      const report: SyncReport = { remote: r.name, url: r.url, pull: null, push: null, errors: [] };
      if (direction !== 'push') {
        try {
          report.pull = await this.pull(r.name);
          await this.record(r.name, 'pull', report.pull.outcome !== 'aborted', describePull(report.pull));
        } catch (e) {
          const err = TownError.from(e);
          report.errors.push(`pull: ${err.message}`);
          await this.record(r.name, 'pull', false, err.message);
        }
      }
      if (direction !== 'pull') {
        try {
          report.push = await this.withConnection((c) => pushRemote(c, r.name, this.d.remoteUser));
          await this.record(r.name, 'push', true, report.push);
        } catch (e) {
          const err = TownError.from(e);
          report.errors.push(`push: ${err.message}`);
          await this.record(r.name, 'push', false, err.message);
        }
      }
      reports.push(report);
    }
    if (direction !== 'all' && name && reports[0]?.errors.length) {
      const err = reports[0].errors[0];
      throw new TownError(/cannot be reached/.test(err) ? 'unavailable' : /has not pulled/.test(err) ? 'conflict' : 'internal', err);
    }
    return reports;
  }

  private async pull(name: string): Promise<MergeReport & { escalation: string | null }> {
    const merged = await this.withConnection(async (c) => {
      await fetchRemote(c, name, this.d.remoteUser);
      return mergeRemote(c, name, LEDGER_RULES, `pull ${name}: merge ${name}/main`);
    });
    if (merged.outcome === 'merged' || merged.outcome === 'fast-forward') {
      await this.d.ledger.recomputeBlocked(FEDERATION_ACTOR).catch((e: Error) => this.d.log(`federation: recompute blocked after pull: ${e.message}`));
    }
    let escalation: string | null = null;
    if (merged.unresolved.length || merged.outcome === 'aborted') {
      const what = merged.outcome === 'aborted'
        ? `Pull from ${name} not merged: ${merged.reason}`
        : `Pull from ${name}: ${merged.unresolved.length} conflicting row(s) had no merge rule; this town's version was kept, the remote's is in the details`;
      escalation = await this.d.escalate(what, { remote: name, unresolved: merged.unresolved });
    }
    return { ...merged, escalation };
  }
}

function describePull(r: MergeReport): string {
  if (r.outcome === 'aborted') return `not merged: ${r.reason}`;
  return `${r.outcome}${r.conflicts ? `, ${r.conflicts} conflicts (${r.resolved} by rules, ${r.unresolved.length} to the inbox)` : ''}`;
}
