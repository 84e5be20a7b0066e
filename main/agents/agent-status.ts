// The status state machine of one agent session. Pure logic (time is passed in), fed by the
// StatusTracker with output activity, screen snapshots, runtime hook events and the exit.
//
//   starting → working ⇄ waiting-for-input → idle → exited | crashed
//                 ↘ stalled (no output since T while it should be working)
//
// Hooks first, screen patterns second. A state set by a runtime hook (Claude Code's settings call
// back into `gt agent-hook`) holds until the next hook event; plain output never changes it, and the
// screen may change it only once the hook is `hookHoldMs` old, from output that came after the
// hook, and only with a pattern match (a clear sign of new activity: a spinner, a prompt). Every
// change says which source produced it.

import type { TerminalExit } from '../../preload/types.ts';
import { AGENT_STATUS_SOURCES, type AgentStatusSource } from '../../preload/requests/agent-hooks.ts';

export const AGENT_STATES = ['starting', 'working', 'waiting-for-input', 'idle', 'stalled', 'exited', 'crashed'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** What produced a status: the runtime's own hook, a screen pattern, output activity, the stall
 *  check, the session's exit, or the spawn itself. */
export const STATUS_SOURCES = AGENT_STATUS_SOURCES;
export type StatusSource = AgentStatusSource;

export interface StatusChange {
  id: string;
  state: AgentState;
  previous: AgentState;
  source: StatusSource;
  /** Why: "output", "prompt: Proceed? [y/n]", "no output since 2025-…", "hook: Stop", "exit 0". */
  reason: string;
  /** Epoch ms of the transition. */
  at: number;
}

/** How a runtime's screen is read. Tested against the cursor line first, then the whole screen. */
export interface ScreenPatterns {
  /** The CLI is up and waiting for its first instructions. */
  ready?: RegExp[];
  /** It asks the human something: a permission prompt, a yes/no, a login screen. */
  waiting?: RegExp[];
  /** It finished its turn and sits at its prompt. */
  idle?: RegExp[];
  /** It is visibly busy (a spinner with "esc to interrupt", …), even if the screen is still. */
  working?: RegExp[];
  /** It failed to start (auth error, missing key): reported as waiting-for-input with the reason. */
  failed?: RegExp[];
}

export type HookEvent = 'session-start' | 'working' | 'waiting' | 'idle' | 'stop' | 'stop-failure';

export interface StatusOptions {
  /** No output for this long while starting/working → stalled. */
  stallMs: number;
  patterns: ScreenPatterns;
  /** How long a hook's state is safe from the screen (default HOOK_HOLD_MS). */
  hookHoldMs?: number;
}

export const DEFAULT_STALL_MS = 5 * 60_000;
/** A hook's state holds against the screen at least this long after the hook event. */
export const HOOK_HOLD_MS = 10_000;

const TERMINAL_STATES: ReadonlySet<AgentState> = new Set(['exited', 'crashed']);

export class AgentStatus {
  private _state: AgentState = 'starting';
  private _reason = 'spawned';
  private _source: StatusSource = 'spawn';
  private _since: number;
  private lastOutputAt: number;
  private lastHookAt = 0;
  private readonly listeners: Array<(c: StatusChange) => void> = [];

  constructor(
    readonly id: string,
    private readonly opts: StatusOptions,
    now: number,
  ) {
    this._since = now;
    this.lastOutputAt = now;
  }

  get state(): AgentState {
    return this._state;
  }
  get reason(): string {
    return this._reason;
  }
  get source(): StatusSource {
    return this._source;
  }
  get since(): number {
    return this._since;
  }
  get lastOutput(): number {
    return this.lastOutputAt;
  }

  onChange(fn: (c: StatusChange) => void): void {
    this.listeners.push(fn);
  }

  /** Output arrived at `at`. Output means work, except over a state a hook set. */
  output(at: number): void {
    if (at <= this.lastOutputAt && this._state !== 'stalled') return;
    this.lastOutputAt = Math.max(at, this.lastOutputAt);
    if (this._state === 'stalled') this.set('working', 'output resumed', at, 'output');
    else if (this._source === 'hook') return; // typing at an idle prompt is not work; the hooks say when it is
    else if (this._state === 'starting' || this._state === 'idle') this.set('working', 'output', at, 'output');
    // waiting-for-input stays until the screen (or a hook) says otherwise: a prompt that redraws
    // or echoes the human's typing is still a prompt.
  }

  /** The screen after output settled. */
  screen(snap: { text: string; cursorLine: string }, at: number): void {
    if (TERMINAL_STATES.has(this._state)) return;
    const byHook = this._source === 'hook';
    if (this.lastHookAt >= this.lastOutputAt) return; // no output since the hook spoke: nothing new to read
    if (byHook && at - this.lastHookAt < (this.opts.hookHoldMs ?? HOOK_HOLD_MS)) return; // the hook's state holds
    const p = this.opts.patterns;
    const hit = (list?: RegExp[]) => match(list, snap);
    let m: string | null;
    if ((m = hit(p.failed))) this.set('waiting-for-input', `failed: ${m}`, at, 'screen');
    else if ((m = hit(p.waiting))) this.set('waiting-for-input', `prompt: ${m}`, at, 'screen');
    else if ((m = hit(p.working))) this.set('working', `busy: ${m}`, at, 'screen');
    else if ((m = hit(p.idle))) this.set('idle', `at prompt: ${m}`, at, 'screen');
    else if (byHook) return; // only a clear screen reading overrides a hook
    else if (this._state === 'starting' && (m = hit(p.ready))) this.set('idle', `ready: ${m}`, at, 'screen');
    else if (this._state === 'waiting-for-input') this.set('working', 'prompt answered', at, 'screen');
  }

  hook(event: HookEvent, at: number, detail = ''): void {
    if (TERMINAL_STATES.has(this._state)) return;
    this.lastHookAt = at;
    const why = `hook: ${event}${detail ? ` (${detail})` : ''}`;
    switch (event) {
      case 'session-start':
        // A new session sits at its prompt (whatever its first output looked like); a re-prime
        // after compaction, in a state a hook already set, changes nothing.
        if (this._source !== 'hook') this.set('idle', why, at, 'hook');
        return;
      case 'working':
        return this.set('working', why, at, 'hook');
      case 'waiting':
        return this.set('waiting-for-input', why, at, 'hook');
      case 'idle':
      case 'stop':
        return this.set('idle', why, at, 'hook');
      case 'stop-failure':
        return this.set('waiting-for-input', why, at, 'hook');
    }
  }

  /** Periodic check: a session that should be producing output and is not is stalled. */
  tick(now: number): void {
    if (this._state !== 'working' && this._state !== 'starting') return;
    if (now - this.lastOutputAt >= this.opts.stallMs) {
      this.set('stalled', `no output since ${new Date(this.lastOutputAt).toISOString()}`, now, 'stall');
    }
  }

  /** The session ended; `screen` (its last screen) tells what a CLI that gave up said. */
  exit(e: TerminalExit, at: number, screen?: string): void {
    if (TERMINAL_STATES.has(this._state)) return;
    // A CLI that printed why it cannot work and quit (no service, no key): the line says why.
    const said = screen ? match(this.opts.patterns.failed, { text: screen, cursorLine: '' }) : null;
    const why = (base: string) => (said ? `${base}: ${said}` : base);
    if (e.reason === 'exited' && e.exitCode === 0) this.set('exited', 'exit 0', at, 'exit');
    else if (e.reason === 'killed') this.set('exited', 'killed', at, 'exit');
    else if (e.reason === 'exited') this.set('crashed', why(`exit ${e.exitCode}`), at, 'exit');
    else this.set('crashed', why(e.reason), at, 'exit');
  }

  private set(state: AgentState, reason: string, at: number, source: StatusSource): void {
    if (state === this._state && reason === this._reason) {
      this._source = source;
      return;
    }
    if (state === this._state && state !== 'waiting-for-input' && state !== 'stalled') {
      // Same state, now confirmed by a hook: the hook owns it from here (the screen cannot undo it).
      if (source === 'hook') this._source = source;
      return;
    }
    const previous = this._state;
    this._state = state;
    this._reason = reason;
    this._source = source;
    this._since = at;
    const change: StatusChange = { id: this.id, state, previous, source, reason, at };
    for (const fn of this.listeners) fn(change);
  }
}

/** The screen line a pattern matched (cursor line first): a reason a person can read. */
function match(list: RegExp[] | undefined, snap: { text: string; cursorLine: string }): string | null {
  if (!list) return null;
  for (const re of list) {
    if (re.test(snap.cursorLine)) return tidy(snap.cursorLine);
    const m = re.exec(snap.text);
    if (m) {
      const start = snap.text.lastIndexOf('\n', m.index) + 1;
      const end = snap.text.indexOf('\n', m.index);
      return tidy(snap.text.slice(start, end < 0 ? undefined : end));
    }
  }
  return null;
}

/** Frame, spinner and selection glyphs around a line (box drawing, blocks, geometric shapes,
 *  braille spinners, "> " / "❯ " cursors): dropped, so a reason reads as words and does not
 *  change with every spinner frame. */
const DECORATION = '\\s\u2500-\u25ff\u2b1d\u2800-\u28ff>❯›•·';
const EDGES = new RegExp(`^[${DECORATION}]+|[${DECORATION}]+$`, 'g');

function tidy(line: string): string {
  return line.replace(EDGES, '').slice(0, 120);
}
