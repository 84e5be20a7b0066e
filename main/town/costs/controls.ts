// The town's controls: emergency stop, parked rigs, do-not-disturb, and which budgets pause
// agents. Persisted in <town>/costs/controls.json so a town restarted in e-stop stays stopped.
//
// Invariants:
//   - the file is replaced atomically (write + rename): a crash leaves the old or the new state;
//   - an unreadable file is reported and read as "stopped" (e-stop on): when in doubt, spend nothing.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ControlsState } from '../../../preload/requests/cost-types.ts';

export const emptyControls = (): ControlsState => ({ estop: null, parkedRigs: [], dndUntil: null, budgetPaused: [] });

export class ControlsStore {
  private state: ControlsState;

  constructor(private readonly file: string, log: (line: string) => void) {
    this.state = emptyControls();
    if (existsSync(file)) {
      try {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<ControlsState>;
        this.state = {
          estop: raw.estop && typeof raw.estop.since === 'number' ? { since: raw.estop.since, by: String(raw.estop.by ?? 'overseer') } : null,
          parkedRigs: Array.isArray(raw.parkedRigs) ? raw.parkedRigs.filter((r) => typeof r === 'string') : [],
          dndUntil: typeof raw.dndUntil === 'number' ? raw.dndUntil : null,
          budgetPaused: Array.isArray(raw.budgetPaused) ? raw.budgetPaused.filter((r) => typeof r === 'string') : [],
        };
      } catch (e) {
        log(`controls: ${file} is unreadable (${(e as Error).message}); starting in e-stop until someone runs gt resume`);
        this.state = { ...emptyControls(), estop: { since: Date.now(), by: 'town (unreadable controls file)' } };
      }
    }
  }

  get(): ControlsState {
    return { ...this.state, parkedRigs: [...this.state.parkedRigs], budgetPaused: [...this.state.budgetPaused] };
  }

  update(patch: Partial<ControlsState>): ControlsState {
    this.state = { ...this.state, ...patch };
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
    return this.get();
  }

  muted(now = Date.now()): boolean {
    return this.state.dndUntil !== null && this.state.dndUntil > now;
  }
}
