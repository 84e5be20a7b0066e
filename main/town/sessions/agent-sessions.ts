// Agent sessions: the PTY terminals agents run in, one per agent at most. Starts a session for an
// agent id (environment, runtime launch, first instructions), stops it, and reports its exit and
// status. Which sessions should exist is the supervisor's call (GUPP); this file only runs them.
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TownError } from '../../../preload/contract.ts';
import type { TerminalExit } from '../../../preload/types.ts';
import type { AgentRole } from '../../../preload/requests/work-types.ts';
import { buildAgentEnv } from '../../agents/agent-env.ts';
import type { PtyHostClient } from '../../agents/pty-host-client.ts';
import { buildLaunch, getRuntime, isInstalled, type RuntimeConfig } from '../../agents/runtimes/runtime-registry.ts';
import { StatusTracker } from '../../agents/status-tracker.ts';
import type { AgentStatus, StatusChange } from '../../agents/agent-status.ts';
import { agentToken } from './agent-token.ts';

export interface StartSpec {
  agent: string;
  role: AgentRole;
  rig?: string;
  bead?: string;
  cwd: string;
  runtime: string;
  /** First instructions (the prime text), for runtimes that take or want them typed. */
  prompt?: string;
  extraEnv?: Record<string, string>;
}

export interface SessionRecord {
  agent: string;
  role: AgentRole;
  terminal: string;
  pid: number;
  runtime: string;
  bead: string | null;
  startedAt: string;
}

export interface AgentSessionsOptions {
  pty: PtyHostClient;
  townRoot: string;
  socket: string;
  townToken: string;
  runtimeConfig: () => RuntimeConfig;
  /** Where the pids of live sessions are written, for cleaning up orphans after a crash. */
  stateFile: string;
}

/** Events: 'exit' (record, exit), 'status' (record, change). */
export interface AgentSessionsEvents {
  exit: [SessionRecord, TerminalExit];
  status: [SessionRecord, StatusChange];
}

export class AgentSessions extends EventEmitter<AgentSessionsEvents> {
  private readonly byAgent = new Map<string, SessionRecord>();
  private readonly byTerminal = new Map<string, SessionRecord>();
  private readonly tracker: StatusTracker;
  private count = 0;
  private readonly onExit = (e: TerminalExit) => this.exited(e);

  constructor(private readonly o: AgentSessionsOptions) {
    super();
    this.setMaxListeners(0);
    this.tracker = new StatusTracker(o.pty);
    this.tracker.on('status', (c: StatusChange) => {
      const rec = this.byTerminal.get(c.id);
      if (rec) this.emit('status', rec, c);
    });
    o.pty.on('exit', this.onExit);
  }

  get(agent: string): SessionRecord | undefined {
    return this.byAgent.get(agent);
  }

  list(): SessionRecord[] {
    return [...this.byAgent.values()];
  }

  status(agent: string): AgentStatus | undefined {
    const rec = this.byAgent.get(agent);
    return rec ? this.tracker.get(rec.terminal) : undefined;
  }

  async start(spec: StartSpec): Promise<SessionRecord> {
    const rt = getRuntime(spec.runtime, this.o.runtimeConfig());
    if (!isInstalled(rt)) throw new TownError('unavailable', `runtime ${spec.runtime} is not installed (${rt.def.command} is not on PATH)${rt.def.npmPackage ? `: npm install -g ${rt.def.npmPackage}` : ''}`);
    await this.stop(spec.agent);
    // Polecats work unattended, as in Gas Town; people-driven roles are asked before edits.
    // A plain shell would run the prime text as commands: its human (or a nudge) drives it instead.
    const prompt = rt.def.kind === 'shell' ? undefined : spec.prompt;
    const launch = buildLaunch(rt, { prompt, permissions: spec.role === 'polecat' ? 'bypass' : 'ask' });
    const env = buildAgentEnv({
      socket: this.o.socket,
      socketToken: agentToken(this.o.townToken, spec.agent),
      town: this.o.townRoot,
      agent: spec.agent,
      rig: spec.rig,
      bead: spec.bead,
      runtime: spec.runtime,
      extra: { ...launch.env, ...spec.extraEnv, GT_ROLE: spec.role },
    });
    const id = `agent-${spec.agent.replace(/[^A-Za-z0-9_-]+/g, '-')}-${++this.count}-${Date.now().toString(36)}`;
    // Through a shell that lingers a moment after the agent exits: a session leader that exits with
    // unread output can lose its last bytes on Linux (see the PTY host notes).
    const [command, args] = process.platform === 'win32'
      ? [launch.command, launch.args]
      : ['/bin/sh', ['-c', '"$0" "$@"; c=$?; sleep 0.2; exit $c', launch.command, ...launch.args]];
    const info = await this.o.pty.spawn({ id, command, args, cwd: spec.cwd, env, cols: 120, rows: 40, title: spec.agent });
    const rec: SessionRecord = {
      agent: spec.agent, role: spec.role, terminal: info.id, pid: info.pid, runtime: spec.runtime, bead: spec.bead ?? null,
      startedAt: new Date().toISOString(),
    };
    this.byAgent.set(spec.agent, rec);
    this.byTerminal.set(info.id, rec);
    this.tracker.track(info.id, { patterns: rt.patterns });
    this.persist();
    if (launch.typeWhenReady) void this.typeWhenQuiet(info.id, launch.typeWhenReady);
    return rec;
  }

  /** Kills the agent's session (its whole process tree). Returns false if it had none. */
  async stop(agent: string): Promise<boolean> {
    const rec = this.byAgent.get(agent);
    if (!rec) return false;
    this.forget(rec);
    await this.o.pty.kill(rec.terminal).catch(() => undefined);
    return true;
  }

  async stopAll(): Promise<void> {
    for (const rec of this.list()) await this.stop(rec.agent);
  }

  dispose(): void {
    this.o.pty.off('exit', this.onExit);
    this.tracker.dispose();
  }

  /** Types first instructions once the runtime's screen has settled (it is ready for input). */
  private async typeWhenQuiet(terminal: string, text: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      const st = this.tracker.get(terminal);
      if (!st) return;
      if (st.state === 'idle' || st.state === 'waiting-for-input' || (Date.now() - st.lastOutput > 1500 && st.state !== 'starting')) break;
    }
    this.o.pty.write(terminal, text.replace(/\r?\n/g, ' ') + '\r');
  }

  private forget(rec: SessionRecord): void {
    if (this.byAgent.get(rec.agent) === rec) this.byAgent.delete(rec.agent);
    this.byTerminal.delete(rec.terminal);
    this.persist();
  }

  private exited(e: TerminalExit): void {
    const rec = this.byTerminal.get(e.id);
    if (!rec) return;
    this.forget(rec);
    this.emit('exit', rec, e);
  }

  private persist(): void {
    const rows = this.list().map((r) => ({ agent: r.agent, pid: r.pid, terminal: r.terminal }));
    try {
      writeFileSync(this.o.stateFile, JSON.stringify(rows) + '\n', { mode: 0o600 });
    } catch {
      // The runtime folder went away (town being removed): nothing to protect any more.
    }
  }
}

export const sessionsStateFile = (runtimeDir: string): string => join(runtimeDir, 'agent-sessions.json');
