// The town's usage ledger: every model call an agent made, attributed to its agent, bead, convoy
// and rig, appended to <town>/costs/usage.jsonl. In memory it is running aggregates
// (usage-totals.ts) and the rows of the recent window only, so memory and the cost of a report do
// not grow with the number of calls ever stored.
//
// Invariants:
//   - append-only; a call (runtime + session + the parser's key) is stored at most once, also
//     across restarts: the keys of the recent window's rows are kept (loaded with them), and a call
//     made before the window starts is refused (not stored, not counted, logged): the watcher reads
//     a call seconds after it is made, so one that old is a copy of a call read then (a re-read
//     file, the history a resumed conversation copies) — the decision is in docs/costs.md;
//   - the file holds no duplicate (every writer refused them), so the rows older than the window
//     are counted at load without their keys;
//   - a damaged line (a crash mid-append) is skipped and reported, never fatal, and the next append
//     starts on a fresh line;
//   - attribution is fixed when the call is stored (a bead's cost stays part of its history);
//   - the file is read at start a chunk at a time, never held whole.
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UsageRecord } from '../../agents/usage/usage-record.ts';
import { UsageTotals } from './usage-totals.ts';

/** A runtime's usage record as stored: attributed to the agent (and its rig, bead, convoy) at that moment. */
export interface StoredUsage extends Omit<UsageRecord, 'cwd'> {
  agent: string;
  rig: string | null;
  bead: string | null;
  convoy: string | null;
}

export interface UsageStoreOptions {
  now?: () => number;
  log?: (line: string) => void;
}

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/** Calls `each` with every line of the file (the last one also without a newline); returns its last byte, or -1 when empty. */
function forEachLine(file: string, each: (line: string) => void): number {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer | null = null;
    let last = -1;
    for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) {
      const chunk = buffer.subarray(0, n);
      last = chunk[n - 1];
      let from = 0;
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
        const piece = chunk.subarray(from, nl);
        each((carry ? Buffer.concat([carry, piece]) : piece).toString('utf8'));
        carry = null;
        from = nl + 1;
      }
      if (from < n) carry = Buffer.concat(carry ? [carry, chunk.subarray(from)] : [chunk.subarray(from)]);
    }
    if (carry) each(carry.toString('utf8'));
    return last;
  } finally {
    closeSync(fd);
  }
}

/** The row of a line, or null when it is not one (a torn or foreign line). */
function parseRow(line: string): StoredUsage | null {
  try {
    const row = JSON.parse(line) as StoredUsage;
    return typeof row.key === 'string' && typeof row.agent === 'string' && typeof row.at === 'number' ? row : null;
  } catch {
    return null;
  }
}

export class UsageStore {
  private readonly totals = new UsageTotals();
  /** The keys of the recent window's rows. */
  private readonly keys = new Set<string>();
  /** Lines that could not be read at load (kept on disk, left out of the totals). */
  readonly damaged: number;
  private needsNewline = false;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly file: string, o: UsageStoreOptions = {}) {
    this.now = o.now ?? Date.now;
    this.log = o.log ?? (() => undefined);
    this.totals.advance(this.now());
    let damaged = 0;
    if (existsSync(file)) {
      const last = forEachLine(file, (line) => {
        if (!line.trim()) return;
        const row = parseRow(line);
        if (!row) damaged++;
        else if (row.at < this.totals.windowStart) this.totals.add(row);
        else if (!this.keys.has(row.key)) this.keep(row);
      });
      this.needsNewline = last !== -1 && last !== NEWLINE;
    }
    this.damaged = damaged;
  }

  private keep(row: StoredUsage): void {
    this.keys.add(row.key);
    this.totals.add(row);
  }

  /** The aggregates, the recent window moved to `now` first (the keys of the rows it lets go are forgotten). */
  totalsAt(now: number): UsageTotals {
    for (const gone of this.totals.advance(now)) this.keys.delete(gone.key);
    return this.totals;
  }

  /** Whether a call of the recent window is stored. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Stores the rows not stored yet (and not older than the recent window); returns those. */
  add(rows: StoredUsage[]): StoredUsage[] {
    const start = this.totalsAt(this.now()).windowStart;
    const old = rows.filter((r) => r.at < start);
    if (old.length) this.log(`costs: ${old.length} call(s) made before ${new Date(start).toISOString()} not stored: a call is read within seconds, so these are copies of calls stored before (e.g. a resumed conversation's history)`);
    const fresh = rows.filter((r) => r.at >= start && !this.keys.has(r.key) && (this.keys.add(r.key), true));
    if (!fresh.length) return fresh;
    mkdirSync(dirname(this.file), { recursive: true });
    const text = (this.needsNewline ? '\n' : '') + fresh.map((r) => JSON.stringify(r)).join('\n') + '\n';
    appendFileSync(this.file, text, { mode: 0o600 });
    this.needsNewline = false;
    for (const r of fresh) this.totals.add(r);
    return fresh;
  }

  /** How many rows are held in memory (the recent window's). */
  get rowsHeld(): number {
    return this.totals.rowsHeld;
  }

  /** The recent window's rows, in time order. */
  recentRows(): StoredUsage[] {
    return this.totals.recentRows();
  }
}
