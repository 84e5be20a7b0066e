// Agent sessions: the PTY terminals agents run in, one per agent at most. Starts a session for an
// agent id (environment, runtime launch, first instructions), stops it, and reports its exit and
// status. Which sessions should exist is the supervisor's call (GUPP); this file only runs them.
// Runtimes with hooks get their hook settings written into the session's folder before the start;
// their hook calls (`gt agent-hook`) come back through report(). A session resumes its runtime's
// previous conversation when resume-policy.ts says so, and falls back to a fresh one if that fails.
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
import type { HookReport } from '../../agents/hooks/hook-adapters.ts';
import { installHooks } from '../../agents/hooks/hook-install.ts';
import type { AgentConversation } from '../../../preload/requests/agent-hooks.ts';
import { agentToken } from './agent-token.ts';
import { decideResume, resumeFailed } from './resume-policy.ts';

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
  /** Never resume a previous conversation (set by the fallback after a failed resume). */
  fresh?: boolean;
}

/** Where an agent's resumable conversation is kept (its agent bead, see town-work.ts). */
export interface ConversationStore {
  get(agent: string): Promise<AgentConversation | null>;
  set(agent: string, conversation: AgentConversation | null, actor: string): Promise<void>;
}

export interface SessionRecord {
  agent: string;
  role: AgentRole;
  terminal: string;
  pid: number;
  runtime: string;
  bead: string | null;
  startedAt: string;
  /** When the session went on to `bead` by itself (after `gt done`), if it did: its usage from then on is that bead's. */
  beadSince?: string;
  cwd: string;
  /** The conversation id this session was resumed into, or null for a fresh one. */
  resumed: string | null;
}

interface SessionState {
  spec: StartSpec;
  startedMs: number;
  /** The runtime's SessionStart hook has reported: the session (and a resume) is real. */
  confirmed: boolean;
  /** The conversation id last stored for the agent, to write only when it changes. */
  conversation: string | null;
  /** Mail already put in front of the agent (prime or prompt hook), not repeated. */
  mailShown: Set<string>;
  /** The prime went in with the launch (as the CLI's first-prompt argument): its first
   *  SessionStart (startup) must not put it in front of the agent a second time. */
  primedAtLaunch: boolean;
}

export interface AgentSessionsOptions {
  pty: PtyHostClient;
  townRoot: string;
  socket: string;
  townToken: string;
  runtimeConfig: () => RuntimeConfig;
  /** Where the pids of live sessions are written, for cleaning up orphans after a crash. */
  stateFile: string;
  /** Durable conversation ids for resume; without one, sessions always start fresh. */
  conversations?: ConversationStore;
  log?: (line: string) => void;
}

/** Events: 'exit' (record, exit), 'status' (record, change), 'moved' (record, the bead it worked on
 *  before and since when: a runtime that took its next bead in the same session). */
export interface AgentSessionsEvents {
  moved: [SessionRecord, { bead: string | null; since: string }];
  exit: [SessionRecord, TerminalExit];
  status: [SessionRecord, StatusChange];
}

export class AgentSessions extends EventEmitter<AgentSessionsEvents> {
  /** What the sessions file holds, as last written by this process. */
  private persisted = '';
  private readonly byAgent = new Map<string, SessionRecord>();
  private readonly byTerminal = new Map<string, SessionRecord>();
  private readonly state = new Map<string, SessionState>();
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

  /** The agent's running session went on to another bead by itself (a runtime that takes the next
   *  bead in the same session, after `gt done`): its record names that bead from now on. */
  movedOn(agent: string, bead: string): void {
    const rec = this.byAgent.get(agent);
    if (!rec || rec.bead === bead) return;
    const before = { bead: rec.bead, since: rec.beadSince ?? rec.startedAt };
    rec.bead = bead;
    rec.beadSince = new Date().toISOString();
    const st = this.state.get(rec.terminal);
    if (st) st.spec = { ...st.spec, bead };
    this.emit('moved', rec, before);
  }

  status(agent: string): AgentStatus | undefined {
    const rec = this.byAgent.get(agent);
    return rec ? this.tracker.get(rec.terminal) : undefined;
  }

  async start(spec: StartSpec): Promise<SessionRecord> {
    const rt = getRuntime(spec.runtime, this.o.runtimeConfig());
    if (!isInstalled(rt)) throw new TownError('unavailable', `runtime ${spec.runtime} is not installed (${rt.def.command} is not on PATH)${rt.def.npmPackage ? `: npm install -g ${rt.def.npmPackage}` : ''}`);
    const replacingLive = await this.stop(spec.agent);
    const remembers = Boolean(rt.def.resumeArgs || rt.def.hooks);
    const stored = spec.fresh || !remembers || !this.o.conversations ? null : await this.o.conversations.get(spec.agent).catch(() => null);
    const resume = decideResume({
      canResume: Boolean(rt.def.resumeArgs), runtime: spec.runtime, cwd: spec.cwd, bead: spec.bead ?? null, stored, replacingLive,
    });
    // A fresh start makes the old conversation history: a later restart must not go back to it.
    if (stored && !resume.resumeId) await this.o.conversations!.set(spec.agent, null, 'town/sessions').catch(() => undefined);
    if (rt.def.hooks) {
      const r = await installHooks(rt.def.hooks, spec.cwd);
      if (r.problem) this.o.log?.(`hooks of ${spec.agent}: ${r.problem}`);
    }
    // Polecats work unattended, as in Gas Town; people-driven roles are asked before edits.
    // A plain shell would run the prime text as commands: its human (or a nudge) drives it instead.
    const prompt = rt.def.kind === 'shell' ? undefined : spec.prompt;
    const launch = buildLaunch(rt, { prompt, permissions: spec.role === 'polecat' ? 'bypass' : 'ask', resumeId: resume.resumeId ?? undefined });
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
      startedAt: new Date().toISOString(), cwd: spec.cwd, resumed: resume.resumeId,
    };
    this.byAgent.set(spec.agent, rec);
    this.byTerminal.set(info.id, rec);
    const primedAtLaunch = Boolean(prompt) && rt.def.firstInstructions === 'argument' && !resume.resumeId;
    this.state.set(info.id, { spec, startedMs: Date.now(), confirmed: false, conversation: resume.resumeId, mailShown: new Set(), primedAtLaunch });
    if (stored || resume.resumeId) this.o.log?.(`session of ${spec.agent}: ${resume.why}`);
    this.tracker.track(info.id, { patterns: rt.patterns });
    this.persist();
    if (launch.typeWhenReady && !resume.resumeId) void this.typeWhenQuiet(info.id, launch.typeWhenReady);
    return rec;
  }

  /**
   * A runtime hook fired in the agent's session (`gt agent-hook`): the status it means, and the
   * conversation id it carries, stored when it changed. Returns null if the agent has no session.
   */
  async report(agent: string, r: HookReport): Promise<{ rec: SessionRecord; status: AgentStatus | undefined; reply: HookReport['reply'] } | null> {
    const rec = this.byAgent.get(agent);
    const st = rec && this.state.get(rec.terminal);
    if (!rec || !st) return null;
    const reply = primeReply(r, { firstStart: !st.confirmed, primedAtLaunch: st.primedAtLaunch });
    if (r.event === 'session-start') st.confirmed = true;
    const status = r.event ? this.tracker.hook(rec.terminal, r.event, r.detail) : this.tracker.get(rec.terminal);
    if (r.conversationId && r.conversationId !== st.conversation && this.o.conversations) {
      st.conversation = r.conversationId;
      const c: AgentConversation = { runtime: rec.runtime, id: r.conversationId, cwd: rec.cwd, bead: rec.bead, at: new Date().toISOString() };
      await this.o.conversations.set(agent, c, agent).catch((e: Error) => this.o.log?.(`conversation of ${agent} not stored: ${e.message}`));
    }
    return { rec, status, reply };
  }

  /** Mail ids not yet shown to this session; marks them shown. */
  unseenMail(agent: string, ids: string[]): string[] {
    const rec = this.byAgent.get(agent);
    const st = rec && this.state.get(rec.terminal);
    if (!st) return ids;
    const fresh = ids.filter((id) => !st.mailShown.has(id));
    for (const id of fresh) st.mailShown.add(id);
    return fresh;
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
    this.state.delete(rec.terminal);
    this.persist();
  }

  private exited(e: TerminalExit): void {
    const rec = this.byTerminal.get(e.id);
    if (!rec) return;
    const st = this.state.get(rec.terminal);
    this.forget(rec);
    if (st && resumeFailed({ resumed: rec.resumed !== null, confirmed: st.confirmed, ranMs: Date.now() - st.startedMs, exitCode: e.reason === 'exited' ? (e.exitCode ?? null) : null, killed: e.reason === 'killed' })) {
      // The runtime could not resume (conversation gone, CLI changed): a fresh, primed session.
      this.o.log?.(`session of ${rec.agent}: resuming ${rec.resumed} failed (${e.reason} ${e.exitCode ?? ''}); starting fresh`);
      void this.o.conversations?.set(rec.agent, null, 'town/sessions').catch(() => undefined);
      void this.start({ ...st.spec, fresh: true }).catch((err: Error) => {
        this.o.log?.(`session of ${rec.agent}: fresh start after a failed resume failed: ${err.message}`);
        this.emit('exit', rec, e);
      });
      return;
    }
    this.emit('exit', rec, e);
  }

  /** Writes the sessions file when what it holds (agent, pid, terminal of each) changed: a session
   *  moving on to its next bead changes none of it, and that happens once per bead. */
  private persist(): void {
    const text = JSON.stringify(this.list().map((r) => ({ agent: r.agent, pid: r.pid, terminal: r.terminal }))) + '\n';
    if (text === this.persisted) return;
    try {
      writeFileSync(this.o.stateFile, text, { mode: 0o600 });
      this.persisted = text;
    } catch {
      // The runtime folder went away (town being removed): nothing to protect any more.
    }
  }
}

export const sessionsStateFile = (runtimeDir: string): string => join(runtimeDir, 'agent-sessions.json');

/**
 * What a hook's reply should be for this session. Pure. A fresh session that got the prime as its
 * launch argument is not primed again by its first SessionStart (startup): the prime would reach
 * the agent twice. Every other (re)start — resume, clear, compact, a CLI typed to — is primed.
 */
export function primeReply(r: HookReport, s: { firstStart: boolean; primedAtLaunch: boolean }): HookReport['reply'] {
  if (r.reply !== 'prime' || !s.firstStart || !s.primedAtLaunch) return r.reply;
  return /\bstartup$/.test(r.detail) ? null : r.reply;
}
