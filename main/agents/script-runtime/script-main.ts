// The `script` runtime: a deterministic agent that runs inside its PTY like any agent CLI and uses
// only the public `gt` CLI. It never pretends to be an LLM: every line it prints says what it is.
//
// Where its bead comes from, in order:
//   GT_SCRIPT_FILE         a file holding the bead description (tests, demos)
//   GT_SCRIPT_DESCRIPTION  the description itself
//   `gt hook --json`       the bead on this agent's hook (the real path)
// When done it commits in the worktree (if it is a git repository with changes) and runs
// `gt done`, unless the bead came from a file/env (then there is no hook to complete). When `gt done`
// names a next bead (it hooked one at once), the same session goes on with it, as gt done's answer
// gives it (id, title, description: no `gt hook` read; an older town's answer without the
// description: read from the hook).
// A hooked bead that walks a sequential molecule is done step by step: `gt mol next` names the
// current step (a restarted session resumes there), its description's gt-script block runs, the
// changes are committed, and `gt done` records the step; a gate step is waited for.
// `gt hook` and the first `gt mol next` are asked at once (two reads): a bead's first answer costs
// one round trip to the town, not two. A next bead that gt done says walks no molecule
// (`walksMolecule: false`) is not asked about at all: one `gt` call a bead, `gt done`'s.

import { readFileSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import readline from 'node:readline';
import { commitChanges } from './script-commit.ts';
import { parseScript, ScriptSyntaxError } from './script-parse.ts';
import { defaultChange, runSteps, ScriptFailure, type ScriptIO } from './script-runner.ts';
import { ScriptUsageWriter } from './script-usage.ts';

interface HookedBead {
  id: string;
  title: string;
  description: string;
}

const say = (text: string) => process.stdout.write(text);

/** `gt ARGS`, its output parsed as JSON; rejects with gt's error output when it fails. */
function gtJson<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile('gt', args, { encoding: 'utf8' }, (err, out) => {
      if (err) return reject(err);
      try {
        resolve(JSON.parse(out) as T);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

interface LoadedBead {
  bead: HookedBead;
  fromHook: boolean;
  /** For a hooked bead, `gt mol next`, asked together with the hook. */
  firstStep?: Promise<CurrentStep>;
}

async function loadBead(given: DoneAnswer['next'] = null): Promise<LoadedBead> {
  const env = process.env;
  if (given && typeof given.description === 'string') {
    // gt done said the bead walks no molecule: there is no step to ask for (an older town does not say).
    if (given.walksMolecule === false) return { bead: { id: given.bead, title: given.title, description: given.description }, fromHook: true };
    const firstStep = gtJson<CurrentStep>(['mol', 'next', '--json']);
    firstStep.catch(() => undefined); // awaited later, or not at all
    return { bead: { id: given.bead, title: given.title, description: given.description }, fromHook: true, firstStep };
  }
  if (env.GT_SCRIPT_FILE) {
    return { bead: { id: env.GT_BEAD ?? 'local', title: env.GT_SCRIPT_TITLE ?? 'scripted task', description: readFileSync(env.GT_SCRIPT_FILE, 'utf8') }, fromHook: false };
  }
  if (env.GT_SCRIPT_DESCRIPTION !== undefined) {
    return { bead: { id: env.GT_BEAD ?? 'local', title: env.GT_SCRIPT_TITLE ?? 'scripted task', description: env.GT_SCRIPT_DESCRIPTION }, fromHook: false };
  }
  const hook = gtJson<{ bead?: HookedBead } & Partial<HookedBead>>(['hook', '--json']);
  const firstStep = gtJson<CurrentStep>(['mol', 'next', '--json']);
  firstStep.catch(() => undefined); // awaited later, or not at all when the hook fails
  const parsed = await hook;
  const bead = parsed.bead ?? (parsed as HookedBead);
  if (!bead || typeof bead.id !== 'string') throw new ScriptFailure('nothing on the hook (gt hook --json returned no bead)');
  return { bead: { id: bead.id, title: bead.title ?? '', description: bead.description ?? '' }, fromHook: true, firstStep };
}

function makeIO(worktree: string): ScriptIO {
  let rl: readline.Interface | null = null;
  const writer = ScriptUsageWriter.fromEnv(worktree);
  const queued: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  return {
    print: say,
    usage: writer ? (call) => writer.record(call) : undefined,
    readLine() {
      if (!rl) {
        rl = readline.createInterface({ input: process.stdin, terminal: false });
        rl.on('line', (l) => {
          const w = waiting.shift();
          if (w) w(l);
          else queued.push(l);
        });
      }
      const l = queued.shift();
      if (l !== undefined) return Promise.resolve(l);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

function commit(worktree: string, bead: HookedBead): void {
  if (commitChanges(worktree, `${bead.id}: ${bead.title}\n\nMade by the scripted runtime (no LLM).`)) say(`gt-script: committed changes for ${bead.id}\n`);
}

interface CurrentStep {
  molecule: { id: string; mode: string; steps: unknown[] } | null;
  step: { id: string; step: string; title: string; type: string; description: string } | null;
  message: string;
}

const molNext = (): CurrentStep => JSON.parse(execFileSync('gt', ['mol', 'next', '--json'], { encoding: 'utf8' })) as CurrentStep;

/** What `gt done --json` answers that the script acts on. */
interface DoneAnswer {
  bead: string;
  outcome: string;
  mergeRequest: string | null;
  /** The bead gt done put on the hook at once: this session goes on with it (`walksMolecule`
   *  false: no `gt mol next` is needed for it). */
  next?: { bead: string; title: string; description?: string; walksMolecule?: boolean } | null;
}

/** `gt done`, with a line saying what came of it. */
function gtDone(): DoneAnswer {
  const done = JSON.parse(execFileSync('gt', ['done', '--json'], { encoding: 'utf8' })) as DoneAnswer;
  if (done.outcome !== 'step') say(`gt-script: gt done: ${done.bead} ${done.outcome}${done.mergeRequest ? ` (merge request ${done.mergeRequest})` : ''}\n`);
  return done;
}

/** Walks the hooked bead's sequential molecule from its current step; null when there is none, else
 *  the answer of the `gt done` that submitted the bead. */
async function walkMolecule(worktree: string, io: ScriptIO, firstStep: Promise<CurrentStep>): Promise<DoneAnswer | null> {
  let next = await firstStep;
  if (!next.molecule || next.molecule.mode !== 'sequential' || !next.step) return null;
  for (;;) {
    const step = next.step;
    if (!step) {
      // The last step was a gate, now released: submit the bead.
      return gtDone();
    }
    if (step.type === 'gate') {
      say(`gt-script: ${next.message}\n`);
      await new Promise((r) => setTimeout(r, 2000));
      next = molNext();
      continue;
    }
    say(`gt-script: molecule ${next.molecule!.id}: ${next.message}\n`);
    const steps = parseScript(step.description);
    if (steps) await runSteps(steps, worktree, io);
    else await defaultChange(worktree, { id: step.id, title: step.title }, io);
    commit(worktree, { id: step.id, title: step.title, description: '' });
    const done = gtDone();
    if (done.outcome !== 'step') return done;
    say(`gt-script: gt done: step ${step.step} closed\n`);
    next = molNext();
  }
}

async function main(): Promise<number> {
  // In the app this process is the Electron binary run as Node (runtimes/script-entry.ts): what it
  // starts (`run` steps, git) must not inherit that, or an Electron-based CLI would run as Node.
  delete process.env.ELECTRON_RUN_AS_NODE;
  // At once, before any `gt` call: the session shows it is up (the 'ready' pattern).
  say('gt-script: starting (scripted runtime, deterministic, no LLM)\n');
  const worktree = process.cwd();
  const io = makeIO(worktree);
  // One bead after another: `gt done` may put the next one on the hook (the runtime takes its next
  // bead in the same session, docs/work-loop.md); then it is read from the hook like the first.
  let given: DoneAnswer['next'] = null;
  for (;;) {
    let bead: HookedBead;
    let fromHook: boolean;
    let firstStep: Promise<CurrentStep> | undefined;
    try {
      ({ bead, fromHook, firstStep } = await loadBead(given));
    } catch (err) {
      say(`gt-script: failed: cannot read the hook: ${(err as Error).message}\n`);
      return 1;
    }
    say(`gt-script: scripted runtime (deterministic, no LLM) — bead ${bead.id}: ${bead.title}\n`);
    let next: DoneAnswer['next'] = null;
    try {
      const submitted = fromHook && firstStep ? await walkMolecule(worktree, io, firstStep) : null;
      if (submitted) next = submitted.next;
      else {
        const steps = parseScript(bead.description);
        if (steps) await runSteps(steps, worktree, io);
        else await defaultChange(worktree, bead, io);
        commit(worktree, bead);
        // A polecat submits its work; the Mayor or a crew member (no merge queue of its own) closes it.
        if (fromHook && /\/polecats\//.test(process.env.GT_AGENT ?? '')) next = gtDone().next;
        else if (fromHook) execFileSync('gt', ['bead', 'close', bead.id, '--reason', 'done by the scripted runtime'], { stdio: 'inherit' });
      }
    } catch (err) {
      const why = err instanceof ScriptFailure || err instanceof ScriptSyntaxError ? err.message : (err as Error).stack ?? String(err);
      say(`gt-script: failed: ${why}\n`);
      return 1;
    }
    if (!next) break;
    given = next;
    say(`gt-script: next on the hook: ${next.bead} (${next.title})\n`);
  }
  say('gt-script: done\n');
  return 0;
}

process.exitCode = await main();
// stdin may still be open (readline): leave explicitly once output is flushed.
process.stdout.write('', () => process.exit());
