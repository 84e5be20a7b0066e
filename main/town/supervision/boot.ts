// Boot: watches the watcher. Every bootIntervalMs it reads the Deacon's heartbeat from the ledger's
// ephemeral rows; a Deacon whose loop is gone (dead) or whose heartbeat is older than deaconStaleMs
// (hung) is replaced. Boot itself is watched by the town (supervision.ts).
import { DEACON_HEARTBEAT_KEY, HEARTBEAT_SCOPE, type Deacon, type DeaconHeartbeat } from './deacon.ts';
import type { SupervisionContext } from './supervision-context.ts';

export type DeaconVerdict = 'healthy' | 'dead' | 'hung' | 'unknown';

/** Pure: what Boot makes of the Deacon. The ledger being unreadable is 'unknown' (no restart for it). */
export function judgeDeacon(running: boolean, heartbeat: DeaconHeartbeat | null | undefined, startedAt: number, now: number, staleMs: number): DeaconVerdict {
  if (!running) return 'dead';
  if (heartbeat === undefined) return 'unknown';
  const last = heartbeat?.at ?? startedAt;
  return now - last > staleMs ? 'hung' : 'healthy';
}

export class Boot {
  lastCheckAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly s: SupervisionContext,
    private readonly deacon: () => { deacon: Deacon; startedAt: number },
    private readonly restartDeacon: (why: string) => void,
  ) {}

  get alive(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.lastCheckAt = Date.now();
    this.timer = setInterval(() => void this.check().catch((e: Error) => this.s.log(`boot: ${e.message}`)), this.s.settings.bootIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Fault injection for tests: Boot's loop dies. */
  killForTest(): void {
    this.stop();
  }

  async check(now = Date.now()): Promise<DeaconVerdict> {
    this.lastCheckAt = now;
    const { deacon, startedAt } = this.deacon();
    let heartbeat: DeaconHeartbeat | null | undefined;
    try {
      const row = await this.s.ledger.getEphemeral(HEARTBEAT_SCOPE, DEACON_HEARTBEAT_KEY);
      const hb = (row?.value ?? null) as DeaconHeartbeat | null;
      // A heartbeat of an earlier Deacon says nothing about this one.
      heartbeat = hb && hb.generation === deacon.generation ? hb : null;
    } catch {
      heartbeat = undefined;
    }
    const verdict = judgeDeacon(deacon.running, heartbeat, startedAt, now, this.s.settings.deaconStaleMs);
    if (verdict === 'dead') this.restartDeacon('its loop is not running');
    if (verdict === 'hung') this.restartDeacon(`no heartbeat for ${Math.round((now - (heartbeat?.at ?? startedAt)) / 1000)} s`);
    return verdict;
  }
}
