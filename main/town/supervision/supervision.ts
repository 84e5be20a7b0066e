// The town's supervisors, assembled: one Witness per rig (started and kept alive by the Deacon),
// the Deacon's patrol loop, Boot watching the Deacon, the town watching Boot, and the Dogs. Every
// restart of a supervisor goes through the town's one restart policy; a supervisor that keeps
// dying is escalated (critical) instead of restarted forever.
import type { SupervisionEvent, SupervisorHealth } from '../../../preload/requests/supervision-types.ts';
import { RESTART_POLICIES, RestartPolicy } from '../../lib/restart-policy.ts';
import { Boot } from './boot.ts';
import { Deacon } from './deacon.ts';
import { DogPack, type Dog } from './dogs/dog.ts';
import { WitnessPool } from './rig-witness.ts';
import type { SupervisionContext } from './supervision-context.ts';

export class Supervision {
  readonly witnesses: WitnessPool;
  readonly dogs: DogPack;
  private current!: { deacon: Deacon; startedAt: number };
  boot!: Boot;
  private generation = 0;
  private deaconRestarts = 0;
  private bootRestarts = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private readonly deaconPolicy = new RestartPolicy(RESTART_POLICIES.supervisor, 'the Deacon');
  private readonly bootPolicy = new RestartPolicy(RESTART_POLICIES.supervisor, 'Boot');
  private pending = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(readonly s: SupervisionContext, dogs: Dog[]) {
    this.witnesses = new WitnessPool(s);
    this.dogs = new DogPack(s, dogs);
  }

  get deacon(): Deacon {
    return this.current.deacon;
  }

  start(): void {
    if (!this.s.settings.enabled) {
      this.s.log('supervision is off (settings/supervision.json enabled: false)');
      return;
    }
    this.startDeacon();
    this.startBoot();
    // The town watches Boot: a dead Boot loop is restarted (checked as often as Boot checks).
    this.watchdog = setInterval(() => {
      if (!this.boot.alive) this.restartBoot('its loop is not running');
    }, this.s.settings.bootIntervalMs);
    this.watchdog.unref();
  }

  private startDeacon(): void {
    const deacon = new Deacon(this.s, this.witnesses, this.dogs, ++this.generation);
    this.current = { deacon, startedAt: Date.now() };
    deacon.start();
    this.deaconPolicy.up();
  }

  private startBoot(): void {
    this.boot = new Boot(this.s, () => this.current, (why) => this.restartDeacon(why));
    this.boot.start();
    this.bootPolicy.up();
  }

  /** Boot's verdict: the Deacon is dead or hung. Replaced after the policy's delay, or escalated. */
  restartDeacon(why: string): void {
    this.current.deacon.stop();
    this.restart(this.deaconPolicy, 'the Deacon', why, () => {
      this.startDeacon();
      this.deaconRestarts++;
      this.s.report({ kind: 'deacon-restarted', by: 'boot', message: `Deacon restarted (${why})` });
    });
  }

  restartBoot(why: string): void {
    this.boot.stop();
    this.restart(this.bootPolicy, 'Boot', why, () => {
      this.startBoot();
      this.bootRestarts++;
      this.s.report({ kind: 'boot-restarted', by: 'town', message: `Boot restarted (${why})` });
    });
  }

  private restart(policy: RestartPolicy, what: string, why: string, again: () => void): void {
    if (this.stopped) return;
    const d = policy.failed();
    if (d.action === 'give-up') {
      if (d.escalate) this.s.escalations.raiseQuietly({ severity: 'critical', message: `${d.message} (last: ${why})`, from: 'town/supervision', source: 'boot' });
      return;
    }
    this.s.log(`${what}: ${why}; restarting in ${d.delayMs} ms`);
    const t = setTimeout(() => {
      this.pending.delete(t);
      if (!this.stopped) again();
    }, d.delayMs);
    t.unref();
    this.pending.add(t);
  }

  health(): SupervisorHealth {
    return {
      deacon: { alive: this.current?.deacon.running ?? false, heartbeatAt: this.current?.deacon.heartbeatAt ?? null, patrols: this.current?.deacon.patrols ?? 0, restarts: this.deaconRestarts },
      boot: { alive: this.boot?.alive ?? false, lastCheckAt: this.boot?.lastCheckAt ?? null, restarts: this.bootRestarts },
      witnesses: this.witnesses.list().map((w) => ({ rig: w.rig, alive: w.alive, lastPatrolAt: w.lastPatrolAt })),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    for (const t of this.pending) clearTimeout(t);
    this.boot?.stop();
    this.current?.deacon.stop();
    await this.witnesses.stop();
  }
}

export type { SupervisionEvent };
