// A bead's timeline through the work loop, for the swarm benches: when the Witness began slinging
// it, when it was hooked (the compare-and-set), when its polecat's session was asked for and
// started, the agent's first request, `gt done` asked and answered, and the close (the Refinery's
// merge). Per polecat, the time it sat idle between `gt done` and its next hook. Plus the time
// spent waiting for, and holding, the town's keyed locks (rig:, bead:, agent:) and the Witness's
// patrols. Everything is observed by wrapping the town's own objects in this process: no timers,
// no extra queries.
import type { CallContext } from '../preload/contract.ts';
import type { BenchTown } from './town-bench-util.ts';
import { percentile } from './town-bench-util.ts';

interface Stamps {
  slingStart?: number;
  hooked?: number;
  polecat?: string;
  sessionAsked?: number;
  sessionStarted?: number;
  /** The session's first output (the PTY host's time of it): the runtime is up. */
  firstOutput?: number;
  /** The first request of the polecat's `gt` (the native client's cliRun, or a request of the Node CLI). */
  firstArrival?: number;
  firstCall?: number;
  /** That first request answered (the agent's `gt` gets its answer). */
  firstAnswered?: number;
  doneAsked?: number;
  doneAnswered?: number;
  closed?: number;
  /** Hooked by the previous bead's `gt done` (same session): when that `gt done` answered. */
  handedOver?: number;
}

type Fn = (...a: never[]) => unknown;
/** Replaces obj[key] by a wrapper that sees its arguments and its (awaited) end. */
function around<T extends object>(obj: T, key: keyof T, before: (args: unknown[]) => unknown, after?: (token: unknown, args: unknown[], result: unknown) => void): void {
  if (typeof obj[key] !== 'function') return; // an older town without this method (A/B runs)
  const f = (obj[key] as unknown as Fn).bind(obj) as (...a: unknown[]) => unknown;
  (obj as Record<keyof T, unknown>)[key] = (...args: unknown[]) => {
    const token = before(args);
    const r = f(...args);
    if (after && r && typeof (r as Promise<unknown>).then === 'function') void (r as Promise<unknown>).then((v) => after(token, args, v), () => undefined);
    return r;
  };
}

export function traceBeads(b: BenchTown): { report(): string[] } {
  const beads = new Map<string, Stamps>();
  const stamp = (id: string): Stamps => beads.get(id) ?? (beads.set(id, {}), beads.get(id)!);
  const holding = new Map<string, string>(); // polecat → bead it works on now
  const idleSince = new Map<string, number>();
  const idleGaps: number[] = [];
  const now = () => performance.now();
  const work = b.town.work;

  around(work.polecats, 'sling', (a) => { const s = stamp(a[0] as string); s.slingStart ??= now(); });
  around(work.polecats, 'slingBatch', (a) => { for (const p of a[1] as Array<{ bead: string }>) stamp(p.bead).slingStart ??= now(); });
  const hooked = (id: string, patch: { status?: string; assignee?: string | null }) => {
    if (patch.status === 'hooked' && patch.assignee) {
      const s = stamp(id);
      s.hooked ??= now();
      s.polecat = patch.assignee;
      holding.set(patch.assignee, id);
      const since = idleSince.get(patch.assignee);
      if (since !== undefined) idleGaps.push(now() - since);
      idleSince.delete(patch.assignee);
    }
  };
  type Patch = { status?: string; assignee?: string | null };
  around(b.town.ledger, 'update', () => undefined, (_t, a) => hooked(a[0] as string, a[1] as Patch));
  // From the beads the write answers (a patch may be built in the write: ledger DerivedPatch).
  around(b.town.ledger, 'updateMany', () => undefined, (_t, _a, r) => {
    for (const x of r as Array<{ id: string; status: string; assignee: string | null }>) {
      hooked(x.id, x);
      if (x.status === 'closed' && beads.has(x.id)) stamp(x.id).closed ??= now(); // a batch's closes (the Refinery)
    }
  });
  // `gt done`'s one write (its merge request, the bead in review, the next bead hooked).
  around(b.town.ledger, 'createAndUpdate' as keyof typeof b.town.ledger, () => undefined, (_t, _a, r) => {
    for (const x of (r as { updated: Array<{ id: string; status: string; assignee: string | null }> }).updated) if (x.status === 'hooked') hooked(x.id, x);
  });
  around(b.town.ledger, 'closeBead', () => undefined, (_t, a) => { const id = a[0] as string; if (beads.has(id)) stamp(id).closed ??= now(); });
  const byTerminal = new Map<string, string>(); // terminal → bead
  around(work.polecats, 'startSession', (a) => { const s = stamp((a[2] as { id: string }).id); s.sessionAsked ??= now(); }, (_t, a, terminal) => {
    const s = stamp((a[2] as { id: string }).id);
    s.sessionStarted ??= now();
    byTerminal.set(terminal as string, (a[2] as { id: string }).id);
  });
  // The host posts a session's first output at once, with the host's clock (same machine).
  b.town.pty.on('activity', (e: { id: string; lastOutputAt: number }) => {
    const bead = byTerminal.get(e.id);
    if (bead) stamp(bead).firstOutput ??= e.lastOutputAt - performance.timeOrigin;
  });
  // A polecat's requests while it holds a bead: the stamps above, and each request's time by name.
  const requests = new Map<string, number[]>();
  around(b.town, 'call', (a) => {
    const [name, , ctx] = a as [string, unknown, CallContext];
    const bead = holding.get(ctx.actor);
    if (!bead) return null;
    const s = stamp(bead);
    const started = s.sessionStarted ?? s.handedOver;
    if (started !== undefined) s.firstArrival ??= now();
    const first = name !== 'cliRun' && started !== undefined && s.firstCall === undefined;
    if (first) s.firstCall = now();
    if (name === 'done') s.doneAsked ??= now();
    return { name, bead, first, asked: now() };
  }, (token, a, result) => {
    if (!token) return;
    const { name, bead, first, asked } = token as { name: string; bead: string; first: boolean; asked: number };
    const took = requests.get(name) ?? (requests.set(name, []), requests.get(name)!);
    took.push(now() - asked);
    if (first) stamp(bead).firstAnswered ??= now();
    if (name !== 'done') return;
    const actor = (a[2] as CallContext).actor;
    stamp(bead).doneAnswered ??= now();
    const next = (result as { next?: { bead: string } | null } | undefined)?.next;
    if (next) {
      // The same session goes on with the bead gt done hooked: no idle time, no new session.
      holding.set(actor, next.bead);
      stamp(next.bead).handedOver ??= now();
      return;
    }
    holding.delete(actor);
    idleSince.set(actor, now());
  });

  // Keyed locks: time waiting for a key, time holding it, by the key's kind.
  const locks = new Map<string, { wait: number[]; held: number[] }>();
  const lockRun = work.context.locks.run.bind(work.context.locks);
  work.context.locks.run = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const asked = now();
    const kind = key.slice(0, key.indexOf(':') + 1) || key;
    const l = locks.get(kind) ?? (locks.set(kind, { wait: [], held: [] }), locks.get(kind)!);
    return lockRun(key, async () => {
      const got = now();
      l.wait.push(got - asked);
      try {
        return await fn();
      } finally {
        l.held.push(now() - got);
      }
    });
  };
  // Ledger reads by method and by the town function that asked (the first frame outside the ledger).
  const reads = new Map<string, number>();
  for (const m of ['list', 'getMany', 'show', 'ready'] as const) {
    around(b.town.ledger, m, () => {
      const frames = (new Error().stack ?? '').split('\n').slice(2);
      const caller = frames.find((f) => !/bead-timeline|ledger\/ledger\.ts|node:/.test(f)) ?? '?';
      const where = /at (?:async )?([^\s]+) \(.*\/([^/]+\.ts):\d+/.exec(caller);
      const key = `${m} ← ${where ? `${where[1]} (${where[2]})` : caller.trim().slice(0, 60)}`;
      reads.set(key, (reads.get(key) ?? 0) + 1);
    });
  }
  const patrols: number[] = [];
  const witness = work.witness as unknown as { patrol(): Promise<void> };
  const patrol = witness.patrol.bind(witness);
  witness.patrol = async () => { const t = now(); try { await patrol(); } finally { patrols.push(now() - t); } };

  const ms = (xs: number[]) => (xs.length ? `p50 ${percentile(xs, 50).toFixed(0)} / p90 ${percentile(xs, 90).toFixed(0)} ms (n ${xs.length})` : 'none');
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
  return {
    report() {
      const gaps = (from: keyof Stamps, to: keyof Stamps) => [...beads.values()].flatMap((s) => (typeof s[from] === 'number' && typeof s[to] === 'number' ? [(s[to] as number) - (s[from] as number)] : []));
      const lines = ['a bead\'s timeline (per step, p50 / p90 over beads that reached both ends):'];
      lines.push(`  sling asked → hooked                 ${ms(gaps('slingStart', 'hooked'))}`);
      lines.push(`  hooked → session asked               ${ms(gaps('hooked', 'sessionAsked'))}`);
      lines.push(`  session asked → started (worktree, prime, spawn) ${ms(gaps('sessionAsked', 'sessionStarted'))}`);
      lines.push(`  session started → first gt request   ${ms(gaps('sessionStarted', 'firstCall'))}`);
      lines.push(`    of which: session started → its first output ${ms(gaps('sessionStarted', 'firstOutput'))}`);
      lines.push(`              first output → gt reaches the town ${ms(gaps('firstOutput', 'firstArrival'))}`);
      lines.push(`              gt reaches the town → its request (the CLI run in the town) ${ms(gaps('firstArrival', 'firstCall'))}`);
      lines.push(`              its request → answered               ${ms(gaps('firstCall', 'firstAnswered'))}`);
      lines.push(`  first gt request → gt done asked     ${ms(gaps('firstCall', 'doneAsked'))}   (the bead's own 3 s inside)`);
      lines.push(`  gt done asked → answered             ${ms(gaps('doneAsked', 'doneAnswered'))}`);
      lines.push(`  gt done answered → closed (merged)   ${ms(gaps('doneAnswered', 'closed'))}`);
      lines.push(`  hooked → gt done answered (a polecat's cycle) ${ms(gaps('hooked', 'doneAnswered'))}`);
      lines.push(`  polecat idle (gt done → its next hook) ${ms(idleGaps)}`);
      const handed = [...beads.values()].filter((x) => x.handedOver !== undefined).length;
      lines.push(`  taken in the same session after gt done: ${handed} beads; gt done answered → their first gt request ${ms(gaps('handedOver', 'firstCall'))}`);
      const worked = Math.max(1, [...beads.values()].filter((x) => x.doneAnswered !== undefined).length);
      lines.push('a polecat\'s requests while it holds a bead (per bead; time in the town):');
      for (const [name, took] of [...requests].sort((x, y) => sum(y[1]) - sum(x[1]))) lines.push(`  ${(took.length / worked).toFixed(1).padStart(5)}  ${name.padEnd(14)} ${ms(took)}`);
      lines.push(`witness patrols: ${ms(patrols)}, ${(sum(patrols) / 1000).toFixed(1)} s in all`);
      for (const [kind, l] of [...locks].sort()) lines.push(`lock ${kind.padEnd(7)} wait ${ms(l.wait)}, ${(sum(l.wait) / 1000).toFixed(1)} s in all; held ${ms(l.held)}, ${(sum(l.held) / 1000).toFixed(1)} s in all`);
      const closed = Math.max(1, [...beads.values()].filter((x) => x.closed !== undefined).length);
      lines.push(`ledger reads per closed bead by caller (top 14 of ${reads.size}):`);
      for (const [k, n] of [...reads].sort((x, y) => y[1] - x[1]).slice(0, 14)) lines.push(`  ${(n / closed).toFixed(1).padStart(6)}  ${k}`);
      return lines;
    },
  };
}
