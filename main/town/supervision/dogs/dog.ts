// A Dog: one maintenance job with a schedule. The pack runs the ones that are due (the Deacon
// asks on each patrol) or one by name (`gt dog run NAME`), one at a time per dog, and keeps each
// dog's last run in the ledger's ephemeral rows (never a commit).
//
// Invariants:
//   - A dog never runs twice at once; a run that throws is recorded as failed with its message.
//   - due(): never run → due at once (if scheduled); else lastRunAt + everyMs ≤ now. everyMs 0 = by hand only.
import type { DogInfo, DogRunResult } from '../../../../preload/requests/supervision-types.ts';
import { TownError } from '../../../../preload/contract.ts';
import type { SupervisionContext } from '../supervision-context.ts';

export interface DogOutcome {
  ok: boolean;
  message: string;
  details?: Record<string, unknown>;
}

export interface Dog {
  name: string;
  summary: string;
  run(s: SupervisionContext): Promise<DogOutcome>;
}

interface LastRun {
  lastRunAt: number;
  ok: boolean;
  message: string;
}

export function isDue(everyMs: number, lastRunAt: number | null, now: number): boolean {
  if (everyMs <= 0) return false;
  return lastRunAt === null || now - lastRunAt >= everyMs;
}

const SCOPE = 'dogs';

export class DogPack {
  private readonly running = new Map<string, Promise<DogRunResult>>();

  constructor(private readonly s: SupervisionContext, private readonly dogs: Dog[]) {}

  private everyMs(name: string): number {
    return (this.s.settings.dogs as Record<string, number>)[name] ?? 0;
  }

  private async last(name: string): Promise<LastRun | null> {
    const row = await this.s.ledger.getEphemeral(SCOPE, name);
    return (row?.value as LastRun | null) ?? null;
  }

  async list(): Promise<DogInfo[]> {
    const out: DogInfo[] = [];
    for (const d of this.dogs) {
      const last = await this.last(d.name);
      const every = this.everyMs(d.name);
      out.push({
        name: d.name, summary: d.summary, everyMs: every, lastRunAt: last?.lastRunAt ?? null, lastOk: last?.ok ?? null, lastMessage: last?.message ?? null,
        nextRunAt: every > 0 ? (last ? last.lastRunAt + every : Date.now()) : null,
      });
    }
    return out;
  }

  /** Runs every dog whose time has come (the Deacon's patrol). */
  async runDue(now = Date.now()): Promise<DogRunResult[]> {
    const results: DogRunResult[] = [];
    for (const d of this.dogs) {
      const every = this.everyMs(d.name);
      if (every <= 0 || this.running.has(d.name)) continue;
      const last = await this.last(d.name);
      if (isDue(every, last?.lastRunAt ?? null, now)) results.push(await this.run(d.name));
    }
    return results;
  }

  run(name: string): Promise<DogRunResult> {
    const dog = this.dogs.find((d) => d.name === name);
    if (!dog) throw new TownError('not_found', `no dog named ${name} (dogs: ${this.dogs.map((d) => d.name).join(', ')})`);
    const already = this.running.get(name);
    if (already) return already;
    const p = this.runOne(dog).finally(() => this.running.delete(name));
    this.running.set(name, p);
    return p;
  }

  private async runOne(dog: Dog): Promise<DogRunResult> {
    const started = Date.now();
    let outcome: DogOutcome;
    try {
      outcome = await dog.run(this.s);
    } catch (e) {
      outcome = { ok: false, message: (e as Error).message };
    }
    const ms = Date.now() - started;
    await this.s.ledger.setEphemeral(SCOPE, dog.name, { lastRunAt: started, ok: outcome.ok, message: outcome.message } satisfies LastRun).catch(() => undefined);
    this.s.report({ kind: outcome.ok ? 'dog-ran' : 'dog-failed', by: `dog:${dog.name}`, message: `${dog.name}: ${outcome.message}` });
    return { name: dog.name, ok: outcome.ok, message: outcome.message, details: outcome.details ?? {}, ms };
  }
}
