// A MergeQueueStore kept in one JSON file: the whole queue is read and rewritten (atomically, by
// rename) on every change. Meant for a refinery running without a town, for tests and for
// benchmarks; the Town uses ledger-store.ts. Because it is a file, it survives a killed process,
// which is what the restart tests need. Not for concurrent writers.

import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { TownError } from '../../preload/contract.ts';
import type { FollowUp, MergeQueueStore, MergeRequest, MergeRequestMeta, MrPhase, NewMergeRequest } from './types.ts';
import { TERMINAL_PHASES } from './types.ts';

export interface StoredFollowUp extends FollowUp {
  id: string;
  mergeRequest: string;
}

export interface StoredHistory {
  id: string;
  phase: MrPhase;
  note: string;
}

interface FileShape {
  requests: MergeRequest[];
  followUps: StoredFollowUp[];
  history: StoredHistory[];
}

export class JsonFileStore implements MergeQueueStore {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly prefix = 'mr',
  ) {}

  async listOpen(): Promise<MergeRequest[]> {
    return (await this.load()).requests.filter((r) => !r.closed);
  }

  async all(): Promise<FileShape> {
    return this.load();
  }

  async get(id: string): Promise<MergeRequest | null> {
    return (await this.load()).requests.find((r) => r.id === id) ?? null;
  }

  create(req: NewMergeRequest): Promise<MergeRequest> {
    return this.mutate((db) => {
      const mr: MergeRequest = {
        id: `${this.prefix}-${randomBytes(5).toString('hex')}`,
        title: req.title,
        priority: req.priority,
        // Distinct, increasing creation times keep the queue order of a fast burst of submits.
        createdAt: nextTimestamp(db.requests),
        closed: TERMINAL_PHASES.includes(req.meta.phase),
        meta: { ...req.meta },
      };
      db.requests.push(mr);
      db.history.push({ id: mr.id, phase: mr.meta.phase, note: 'created' });
      return mr;
    });
  }

  record(id: string, phase: MrPhase, patch: Partial<MergeRequestMeta>, note: string): Promise<MergeRequest> {
    return this.mutate((db) => {
      const mr = db.requests.find((r) => r.id === id);
      if (!mr) throw new TownError('not_found', `no merge request ${id}`);
      // JSON drops undefined: a patch key set to undefined removes it.
      mr.meta = JSON.parse(JSON.stringify({ ...mr.meta, ...patch, phase })) as MergeRequestMeta;
      mr.closed = TERMINAL_PHASES.includes(phase);
      db.history.push({ id, phase, note });
      return structuredClone(mr);
    });
  }

  createFollowUp(mr: MergeRequest, followUp: FollowUp): Promise<string> {
    return this.mutate((db) => {
      const id = `${this.prefix}-fu-${randomBytes(4).toString('hex')}`;
      db.followUps.push({ ...followUp, id, mergeRequest: mr.id });
      return id;
    });
  }

  private async load(): Promise<FileShape> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as FileShape;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { requests: [], followUps: [], history: [] };
      throw err;
    }
  }

  private mutate<R>(fn: (db: FileShape) => R): Promise<R> {
    const next = this.chain.then(async () => {
      const db = await this.load();
      const out = fn(db);
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(db, null, 1));
      await rename(tmp, this.file);
      return out;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function nextTimestamp(existing: MergeRequest[]): string {
  let t = Date.now();
  for (const r of existing) t = Math.max(t, Date.parse(r.createdAt) + 1);
  return new Date(t).toISOString();
}
