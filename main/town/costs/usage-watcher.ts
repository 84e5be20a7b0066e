// Finds the usage files of the town's running agents, reads what was appended since the last look
// (main/agents/usage/usage-tailer.ts) and attributes each call to the agent session it belongs to.
//
// Invariants:
//   - the session a call belongs to is decided by the working directory the CLI recorded (or the
//     Claude project folder / Gemini project hash derived from it) and the time of the call against
//     the sessions of the agent working in that directory — never by guess: a call whose directory
//     is no agent's is not the town's and is dropped;
//   - nothing is scanned while no agent session is running or ended within the last minute (an
//     idle town reads no files);
//   - cursors are saved after the rows they produced are stored, so a crash in between can only
//     re-read calls the store already has (its keys make that harmless).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { claudeHome, claudeProjectName } from '../../agents/usage/claude-usage.ts';
import { codexHome } from '../../agents/usage/codex-usage.ts';
import { copilotHome } from '../../agents/usage/copilot-usage.ts';
import { geminiFileProject, geminiHome, geminiProjectHash } from '../../agents/usage/gemini-usage.ts';
import { USAGE_FORMATS, usageFormatOf, type UsageFormat } from '../../agents/usage/usage-parsers.ts';
import type { UsageRecord } from '../../agents/usage/usage-record.ts';
import { newCursor, tailUsage, type TailCursor } from '../../agents/usage/usage-tailer.ts';
import { readOpencodeDb } from '../../agents/usage/opencode-db.ts';
import type { StoredUsage } from './usage-store.ts';

/** A session of an agent, as the watcher needs it. */
export interface WatchedSession {
  agent: string;
  rig: string | null;
  bead: string | null;
  runtime: string;
  cwd: string;
  startedAt: number;
  endedAt?: number;
}

export interface UsageRoots {
  claude: string;
  /** Where the `script` runtime writes its Claude-format records (inside the town). */
  script: string;
  codex: string;
  gemini: string;
  copilot: string;
  opencode: string;
}

export function defaultUsageRoots(townRoot: string, env: NodeJS.ProcessEnv = process.env): UsageRoots {
  return {
    claude: claudeHome(env),
    script: scriptUsageRoot(townRoot),
    codex: codexHome(env),
    gemini: geminiHome(env),
    copilot: copilotHome(env),
    opencode: join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'opencode'),
  };
}

/** The `script` runtime writes `<this>/projects/<project name of its cwd>/<session>.jsonl`. */
export const scriptUsageRoot = (townRoot: string): string => join(townRoot, 'costs', 'script-usage');

/** Calls keep being read for a minute after their session ended (the CLI's last writes). */
const AFTER_END_MS = 60_000;
/** Clock slack between the CLI's timestamps and ours. */
const SLACK_MS = 5_000;

interface FileBinding {
  format: UsageFormat;
  runtime: string;
  /** Known for Claude project folders; otherwise read from the records. */
  cwd: string | null;
  whole: boolean;
  /** OpenCode 1.x's SQLite database (read by rows, not bytes), from this time on at first. */
  db?: boolean;
  after?: number;
}

export interface UsageWatcherOptions {
  roots: UsageRoots;
  cursorsFile: string;
  live(): Promise<WatchedSession[]>;
  convoyOf(bead: string): Promise<string | null>;
  store(rows: StoredUsage[]): StoredUsage[];
  log(line: string): void;
  now?: () => number;
}

/** A session's key in the history: an agent's sessions differ by their start. */
const sessionKey = (s: WatchedSession): string => `${s.agent}\n${s.startedAt}`;

export class UsageWatcher {
  /** Sessions seen (running, and ended within the last ten minutes), by sessionKey. A session that
   *  goes on to its next bead is noted as one more session per bead, so at 30 agents this holds
   *  thousands: every lookup is by key, never a scan per session. */
  private readonly history = new Map<string, WatchedSession>();
  private cursors: Record<string, TailCursor>;
  private dirty = false;

  constructor(private readonly o: UsageWatcherOptions) {
    this.cursors = {};
    if (existsSync(o.cursorsFile)) {
      try {
        this.cursors = JSON.parse(readFileSync(o.cursorsFile, 'utf8')) as Record<string, TailCursor>;
      } catch (e) {
        o.log(`costs: ${o.cursorsFile} unreadable (${(e as Error).message}); usage files are read again, stored calls are not counted twice`);
      }
    }
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** A session seen starting or ending between two looks (a short one may never be seen running). */
  note(s: WatchedSession): void {
    const known = this.history.get(sessionKey(s));
    if (!known) this.history.set(sessionKey(s), { ...s });
    else if (s.endedAt !== undefined && known.endedAt === undefined) known.endedAt = s.endedAt;
  }

  /** Sessions seen running (and those ended less than a minute ago). */
  private async refresh(): Promise<WatchedSession[]> {
    const now = this.now();
    const live = await this.o.live();
    const running = new Set<string>();
    for (const s of live) {
      running.add(sessionKey(s));
      if (!this.history.has(sessionKey(s))) this.history.set(sessionKey(s), { ...s });
    }
    const active: WatchedSession[] = [];
    for (const [key, h] of this.history) {
      if (h.endedAt === undefined && !running.has(key)) h.endedAt = now;
      // Old ended sessions are kept only as long as their calls may still arrive or be attributed.
      if (h.endedAt !== undefined && now - h.endedAt > 10 * AFTER_END_MS) this.history.delete(key);
      else if (h.endedAt === undefined || now - h.endedAt < AFTER_END_MS) active.push(h);
    }
    return active;
  }

  /** One look: new calls of the town's agents, stored. Returns the rows stored. */
  async poll(): Promise<StoredUsage[]> {
    const active = await this.refresh();
    if (!active.length) return [];
    const files = this.candidates(active);
    const byCwd = this.sessionsByCwd();
    const stored: StoredUsage[] = [];
    for (const [file, binding] of files) {
      const before = this.cursors[file] ?? newCursor(file);
      let result;
      try {
        result = binding.db
          ? await this.readDb(before, binding)
          : await tailUsage(before, (saved) => USAGE_FORMATS[binding.format](binding.runtime, saved), { whole: binding.whole });
        if (!result) continue;
      } catch (e) {
        this.o.log(`costs: reading ${file}: ${(e as Error).message}`);
        continue;
      }
      if (result.cursor !== before) {
        this.cursors[file] = result.cursor;
        this.dirty = true;
      }
      if (!result.records.length) continue;
      const rows: StoredUsage[] = [];
      for (const r of result.records) {
        const session = this.sessionOf(r, binding, result.cursor.state, byCwd);
        if (!session) continue;
        rows.push({
          key: `${binding.format}:${r.key}`, runtime: session.runtime, session: r.session, model: r.model, at: r.at,
          input: r.input, output: r.output, cacheWrite: r.cacheWrite, cacheRead: r.cacheRead,
          agent: session.agent, rig: session.rig, bead: session.bead, convoy: session.bead ? await this.o.convoyOf(session.bead).catch(() => null) : null,
        });
      }
      stored.push(...this.o.store(rows));
    }
    if (this.dirty) this.saveCursors();
    return stored;
  }

  private sqliteMissing = false;

  /** OpenCode's database: rows updated since the cursor's watermark (kept in `offset`). */
  private async readDb(before: TailCursor, binding: FileBinding): Promise<{ records: UsageRecord[]; cursor: TailCursor } | null> {
    if (this.sqliteMissing) return null;
    let st;
    try {
      st = statSync(before.file);
    } catch {
      return null;
    }
    const wal = modifiedAt(`${before.file}-wal`);
    const mtimeMs = Math.max(st.mtimeMs, wal);
    if (mtimeMs === before.mtimeMs && st.size === before.size) return { records: [], cursor: before };
    // A database never read before: from the oldest running session on (not its whole history).
    const rows = await readOpencodeDb(before.file, before.offset || (binding.after ?? 0));
    if (!rows) {
      this.sqliteMissing = true;
      this.o.log('costs: OpenCode usage needs the sqlite3 command (not found on PATH): its calls are not counted');
      return null;
    }
    const parser = USAGE_FORMATS.opencode(binding.runtime, before.state);
    const records = rows.lines.flatMap((l) => parser.line(l, 0));
    return { records, cursor: { ...before, offset: rows.last, size: st.size, mtimeMs, state: parser.state() } };
  }

  private saveCursors(): void {
    try {
      mkdirSync(join(this.o.cursorsFile, '..'), { recursive: true });
      const tmp = `${this.o.cursorsFile}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.cursors), { mode: 0o600 });
      renameSync(tmp, this.o.cursorsFile);
      this.dirty = false;
    } catch (e) {
      this.o.log(`costs: saving read positions: ${(e as Error).message}`);
    }
  }

  /** The sessions in the history by their working directory (built once a poll). */
  private sessionsByCwd(): Map<string, WatchedSession[]> {
    const out = new Map<string, WatchedSession[]>();
    for (const s of this.history.values()) {
      const list = out.get(s.cwd);
      if (list) list.push(s);
      else out.set(s.cwd, [s]);
    }
    return out;
  }

  /** The session of the agent working in the call's directory at the call's time. */
  private sessionOf(r: UsageRecord, b: FileBinding, state: unknown, byCwd: Map<string, WatchedSession[]>): WatchedSession | null {
    let candidates: Iterable<WatchedSession>;
    let matches: (s: WatchedSession) => boolean;
    const cwd = b.cwd ?? r.cwd;
    if (b.format === 'gemini') {
      const project = geminiFileProject(state);
      if (!project) return null;
      candidates = this.history.values();
      matches = (s) => geminiProjectHash(s.cwd) === project;
    } else if (cwd) {
      candidates = byCwd.get(cwd) ?? [];
      matches = () => true;
    } else {
      return null;
    }
    const mine = [...candidates].filter((s) => usageFormatOf(s.runtime) === b.format && matches(s));
    if (!mine.length) return null;
    // A session whose own lifetime holds the call first: in one worktree the next bead's session may
    // start right after the last one ended, and the slack windows below would overlap.
    const strict = mine.filter((s) => r.at >= s.startedAt && r.at <= (s.endedAt ?? Infinity));
    const during = strict.length ? strict : mine.filter((s) => r.at >= s.startedAt - SLACK_MS && r.at <= (s.endedAt ?? Infinity) + AFTER_END_MS);
    const pool = during.length ? during : mine;
    return pool.reduce((a, s) => (s.startedAt > a.startedAt ? s : a));
  }

  /** Usage files that may hold calls of the active sessions, with how to read each. */
  private candidates(active: WatchedSession[]): Map<string, FileBinding> {
    const out = new Map<string, FileBinding>();
    const roots = this.o.roots;
    const byFormat = new Map<UsageFormat, WatchedSession[]>();
    for (const s of active) {
      const f = usageFormatOf(s.runtime);
      if (!f) continue;
      const list = byFormat.get(f);
      if (list) list.push(s);
      else byFormat.set(f, [s]);
    }
    const since = (list: WatchedSession[]) => Math.min(...list.map((s) => s.startedAt)) - SLACK_MS;
    // Claude's project folder per working directory, listed once for all the sessions that worked
    // there (a session per bead: many share one folder), from the earliest of them.
    const claudeDirs = new Map<string, { root: string; cwd: string; runtime: string; since: number }>();
    for (const s of byFormat.get('claude') ?? []) {
      const root = s.runtime === 'script' ? roots.script : roots.claude;
      const key = `${root}\n${s.cwd}`;
      const seen = claudeDirs.get(key);
      claudeDirs.set(key, { root, cwd: s.cwd, runtime: s.runtime, since: Math.min(seen?.since ?? Infinity, s.startedAt - SLACK_MS) });
    }
    for (const { root, cwd, runtime, since } of claudeDirs.values()) {
      for (const dir of claudeProjectDirs(join(root, 'projects'), cwd)) {
        for (const f of filesIn(dir, '.jsonl', since)) out.set(f, { format: 'claude', runtime, cwd, whole: false });
      }
    }
    const codex = byFormat.get('codex');
    if (codex) {
      for (const dir of codexDayDirs(join(roots.codex, 'sessions'), since(codex), this.now())) {
        for (const f of filesIn(dir, '.jsonl', since(codex))) out.set(f, { format: 'codex', runtime: 'codex', cwd: null, whole: false });
      }
    }
    const gemini = byFormat.get('gemini');
    if (gemini) {
      for (const project of subdirs(join(roots.gemini, 'tmp'))) {
        for (const f of filesIn(join(project, 'chats'), '.jsonl', since(gemini))) out.set(f, { format: 'gemini', runtime: 'gemini', cwd: null, whole: false });
      }
    }
    const copilot = byFormat.get('copilot');
    if (copilot) {
      for (const dir of subdirs(join(roots.copilot, 'session-state'))) {
        const f = join(dir, 'events.jsonl');
        if (modifiedSince(f, since(copilot))) out.set(f, { format: 'copilot', runtime: 'copilot', cwd: null, whole: false });
      }
    }
    const opencode = byFormat.get('opencode');
    if (opencode) {
      for (const dir of subdirs(join(roots.opencode, 'storage', 'message'))) {
        for (const f of filesIn(dir, '.json', since(opencode))) out.set(f, { format: 'opencode', runtime: 'opencode', cwd: null, whole: true });
      }
      // 1.x: the database (opencode.db, or opencode-<channel>.db for other release channels).
      for (const f of filesIn(roots.opencode, '.db', 0)) out.set(f, { format: 'opencode', runtime: 'opencode', cwd: null, whole: false, db: true, after: since(opencode) });
    }
    return out;
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(dir, d.name));
  } catch {
    return [];
  }
}

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function modifiedSince(file: string, since: number): boolean {
  try {
    return statSync(file).mtimeMs >= since;
  } catch {
    return false;
  }
}

function filesIn(dir: string, ext: string, since: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(ext)).map((n) => join(dir, n)).filter((f) => modifiedSince(f, since));
}

/** Claude's folder for the cwd; a long path's folder carries a hash suffix we match by prefix. */
function claudeProjectDirs(projects: string, cwd: string): string[] {
  const name = claudeProjectName(cwd);
  if (name.length < 200) return [join(projects, name)];
  try {
    return readdirSync(projects).filter((n) => n.startsWith(name)).map((n) => join(projects, n));
  } catch {
    return [];
  }
}

/** Codex files its rollouts by local date: the folders from the oldest session's day to today. */
function codexDayDirs(sessions: string, since: number, now: number): string[] {
  const dirs: string[] = [];
  const day = new Date(since);
  day.setHours(0, 0, 0, 0);
  for (let t = day.getTime(), n = 0; t <= now && n < 400; n++) {
    const d = new Date(t);
    dirs.push(join(sessions, String(d.getFullYear()), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')));
    d.setDate(d.getDate() + 1);
    t = d.getTime();
  }
  return dirs;
}
