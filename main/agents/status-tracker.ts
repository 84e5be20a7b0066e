// Runs an AgentStatus per tracked session against the live PTY host: output activity comes from
// the host's throttled 'activity' events (no bytes cross for this), the screen is read through
// snapshot() only once output has settled, and a periodic tick catches sessions that went quiet.
// Emits 'status' (StatusChange) for the TownApi to publish.

import { EventEmitter } from 'node:events';
import type { TerminalExit } from '../../preload/types.ts';
import { AgentStatus, DEFAULT_STALL_MS, type HookEvent, type ScreenPatterns, type StatusChange } from './agent-status.ts';
import type { ActivityEvent, PtyHostClient } from './pty-host-client.ts';

export interface TrackOptions {
  patterns: ScreenPatterns;
  stallMs?: number;
  hookHoldMs?: number;
}

export interface StatusTrackerOptions {
  /** Read the screen once output has been quiet this long. */
  settleMs?: number;
  /** How often quiet sessions are checked. */
  tickMs?: number;
  /** While output never settles (a spinner), still read the screen this often: a TUI that
   *  animates while it retries or asks must not hide its screen behind the animation. */
  busyReadMs?: number;
}

interface Tracked {
  status: AgentStatus;
  /** Output offset the last screen read saw; a new read only when output moved on. */
  screenAt: number;
  offset: number;
  lastOutputAt: number;
  lastReadAt: number;
  reading: boolean;
}

export class StatusTracker extends EventEmitter<{ status: [StatusChange] }> {
  private readonly tracked = new Map<string, Tracked>();
  private readonly settleMs: number;
  private readonly busyReadMs: number;
  /** Runs only while some session is tracked: an idle town has no status ticks. */
  private timer: NodeJS.Timeout | null = null;
  private readonly tickMs: number;
  private readonly onActivity = (a: ActivityEvent) => this.activity(a);
  private readonly onExit = (e: TerminalExit, screen?: string) => this.exited(e, screen);

  constructor(
    private readonly client: PtyHostClient,
    opts: StatusTrackerOptions = {},
  ) {
    super();
    this.settleMs = opts.settleMs ?? 400;
    this.busyReadMs = opts.busyReadMs ?? 2000;
    client.on('activity', this.onActivity);
    client.on('exit', this.onExit);
    this.tickMs = opts.tickMs ?? 250;
  }

  /** Starts tracking a session (call right after spawn). */
  track(id: string, opts: TrackOptions): AgentStatus {
    const now = Date.now();
    const status = new AgentStatus(id, { patterns: opts.patterns, stallMs: opts.stallMs ?? DEFAULT_STALL_MS, hookHoldMs: opts.hookHoldMs }, now);
    status.onChange((c: StatusChange) => this.emit('status', c));
    this.tracked.set(id, { status, screenAt: -1, offset: 0, lastOutputAt: now, lastReadAt: now, reading: false });
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref();
    }
    return status;
  }

  /** Whether the periodic status tick runs (only while some session is tracked). */
  get ticking(): boolean {
    return this.timer !== null;
  }

  get(id: string): AgentStatus | undefined {
    return this.tracked.get(id)?.status;
  }

  /** A runtime hook reported in (e.g. Claude Code's Stop hook through `gt agent-hook`). */
  hook(id: string, event: HookEvent, detail?: string): AgentStatus | undefined {
    const status = this.tracked.get(id)?.status;
    status?.hook(event, Date.now(), detail);
    return status;
  }

  dispose(): void {
    this.stopTicking();
    this.client.off('activity', this.onActivity);
    this.client.off('exit', this.onExit);
    this.tracked.clear();
  }

  private activity(a: ActivityEvent): void {
    const t = this.tracked.get(a.id);
    if (!t) return;
    t.offset = a.offset;
    t.lastOutputAt = a.lastOutputAt;
    t.status.output(a.lastOutputAt);
  }

  private exited(e: TerminalExit, screen?: string): void {
    const t = this.tracked.get(e.id);
    if (!t) return;
    t.status.exit(e, Date.now(), screen);
    this.tracked.delete(e.id);
    if (this.tracked.size === 0) this.stopTicking();
  }

  private stopTicking(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = Date.now();
    for (const [id, t] of this.tracked) {
      t.status.tick(now);
      if (t.reading || t.screenAt === t.offset) continue;
      if (now - t.lastOutputAt >= this.settleMs || now - t.lastReadAt >= this.busyReadMs) void this.readScreen(id, t);
    }
  }

  private async readScreen(id: string, t: Tracked): Promise<void> {
    t.reading = true;
    t.lastReadAt = Date.now();
    const offset = t.offset;
    const busy = Date.now() - t.lastOutputAt < this.settleMs;
    try {
      const snap = await this.client.snapshot(id);
      // Output that arrived while we read makes a settled screen stale (the next tick reads
      // again); a busy screen is read as it is, that is the point of reading it.
      if (busy || t.offset === offset) {
        t.screenAt = offset;
        t.status.screen(snap, Date.now());
      }
    } catch {
      // The session ended meanwhile; its exit event settles the status.
    } finally {
      t.reading = false;
    }
  }
}
