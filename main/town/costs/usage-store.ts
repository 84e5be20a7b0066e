// The town's usage ledger: every model call an agent made, attributed to its agent, bead, convoy
// and rig, appended to <town>/costs/usage.jsonl and held in memory for the reports.
//
// Invariants:
//   - append-only; a call (runtime + session + the parser's key) is stored at most once, also
//     across restarts (the keys are loaded with the rows);
//   - a damaged line (a crash mid-append) is skipped and reported, never fatal, and the next append
//     starts on a fresh line;
//   - attribution is fixed when the call is stored (a bead's cost stays part of its history).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UsageRecord } from '../../agents/usage/usage-record.ts';

/** A runtime's usage record as stored: attributed to the agent (and its rig, bead, convoy) at that moment. */
export interface StoredUsage extends Omit<UsageRecord, 'cwd'> {
  agent: string;
  rig: string | null;
  bead: string | null;
  convoy: string | null;
}

export class UsageStore {
  private readonly all: StoredUsage[] = [];
  private readonly keys = new Set<string>();
  /** Lines that could not be read at load (kept on disk, left out of the totals). */
  readonly damaged: number;
  private needsNewline = false;

  constructor(private readonly file: string) {
    let damaged = 0;
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      this.needsNewline = text.length > 0 && !text.endsWith('\n');
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const row = JSON.parse(line) as StoredUsage;
          if (typeof row.key !== 'string' || typeof row.agent !== 'string' || typeof row.at !== 'number') throw new Error('not a usage row');
          if (this.keys.has(row.key)) continue;
          this.keys.add(row.key);
          this.all.push(row);
        } catch {
          damaged++;
        }
      }
    }
    this.damaged = damaged;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Stores the rows not stored yet; returns those. */
  add(rows: StoredUsage[]): StoredUsage[] {
    const fresh = rows.filter((r) => !this.keys.has(r.key) && (this.keys.add(r.key), true));
    if (!fresh.length) return fresh;
    mkdirSync(dirname(this.file), { recursive: true });
    const text = (this.needsNewline ? '\n' : '') + fresh.map((r) => JSON.stringify(r)).join('\n') + '\n';
    appendFileSync(this.file, text, { mode: 0o600 });
    this.needsNewline = false;
    for (const r of fresh) this.all.push(r);
    return fresh;
  }

  rows(): readonly StoredUsage[] {
    return this.all;
  }
}
