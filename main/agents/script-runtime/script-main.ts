// The `script` runtime: a deterministic agent that runs inside its PTY like any agent CLI and uses
// only the public `gt` CLI. It never pretends to be an LLM: every line it prints says what it is.
//
// Where its bead comes from, in order:
//   GT_SCRIPT_FILE         a file holding the bead description (tests, demos)
//   GT_SCRIPT_DESCRIPTION  the description itself
//   `gt hook --json`       the bead on this agent's hook (the real path)
// When done it commits in the worktree (if it is a git repository with changes) and runs
// `gt done`, unless the bead came from a file/env (then there is no hook to complete).
// A hooked bead that walks a sequential molecule is done step by step: `gt mol next` names the
// current step (a restarted session resumes there), its description's gt-script block runs, the
// changes are committed, and `gt done` records the step; a gate step is waited for.
// `gt hook` and the first `gt mol next` are asked at once (two reads): a bead's first answer costs
// one round trip to the town, not two.

import { readFileSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import readline from 'node:readline';
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

async function loadBead(): Promise<LoadedBead> {
  const env = process.env;
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
  let status: string;
  try {
    status = execFileSync('git', ['status', '--porcelain'], { cwd: worktree, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return; // not a git worktree: nothing to commit
  }
  if (!status.trim()) return;
  execFileSync('git', ['add', '-A'], { cwd: worktree, stdio: 'ignore' });
  execFileSync('git', ['commit', '-q', '-m', `${bead.id}: ${bead.title}\n\nMade by the scripted runtime (no LLM).`], { cwd: worktree, stdio: 'ignore' });
  say(`gt-script: committed changes for ${bead.id}\n`);
}

interface CurrentStep {
  molecule: { id: string; mode: string; steps: unknown[] } | null;
  step: { id: string; step: string; title: string; type: string; description: string } | null;
  message: string;
}

const molNext = (): CurrentStep => JSON.parse(execFileSync('gt', ['mol', 'next', '--json'], { encoding: 'utf8' })) as CurrentStep;

/** Walks the hooked bead's sequential molecule from its current step; false when there is none. */
async function walkMolecule(worktree: string, io: ScriptIO, firstStep: Promise<CurrentStep>): Promise<boolean> {
  let next = await firstStep;
  if (!next.molecule || next.molecule.mode !== 'sequential' || !next.step) return false;
  for (;;) {
    const step = next.step;
    if (!step) {
      // The last step was a gate, now released: submit the bead.
      execFileSync('gt', ['done'], { stdio: 'inherit' });
      break;
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
    const done = JSON.parse(execFileSync('gt', ['done', '--json'], { encoding: 'utf8' })) as { outcome: string };
    say(`gt-script: gt done: ${done.outcome} (step ${step.step})\n`);
    if (done.outcome !== 'step') return true;
    next = molNext();
  }
  return true;
}

async function main(): Promise<number> {
  // In the app this process is the Electron binary run as Node (runtimes/script-entry.ts): what it
  // starts (`run` steps, git) must not inherit that, or an Electron-based CLI would run as Node.
  delete process.env.ELECTRON_RUN_AS_NODE;
  // At once, before any `gt` call: the session shows it is up (the 'ready' pattern).
  say('gt-script: starting (scripted runtime, deterministic, no LLM)\n');
  const worktree = process.cwd();
  const io = makeIO(worktree);
  let bead: HookedBead;
  let fromHook: boolean;
  let firstStep: Promise<CurrentStep> | undefined;
  try {
    ({ bead, fromHook, firstStep } = await loadBead());
  } catch (err) {
    say(`gt-script: failed: cannot read the hook: ${(err as Error).message}\n`);
    return 1;
  }
  say(`gt-script: scripted runtime (deterministic, no LLM) — bead ${bead.id}: ${bead.title}\n`);
  try {
    if (fromHook && firstStep && (await walkMolecule(worktree, io, firstStep))) {
      say('gt-script: done\n');
      return 0;
    }
    const steps = parseScript(bead.description);
    if (steps) await runSteps(steps, worktree, io);
    else await defaultChange(worktree, bead, io);
    commit(worktree, bead);
    // A polecat submits its work; the Mayor or a crew member (no merge queue of its own) closes it.
    if (fromHook && /\/polecats\//.test(process.env.GT_AGENT ?? '')) execFileSync('gt', ['done'], { stdio: 'inherit' });
    else if (fromHook) execFileSync('gt', ['bead', 'close', bead.id, '--reason', 'done by the scripted runtime'], { stdio: 'inherit' });
    say('gt-script: done\n');
    return 0;
  } catch (err) {
    const why = err instanceof ScriptFailure || err instanceof ScriptSyntaxError ? err.message : (err as Error).stack ?? String(err);
    say(`gt-script: failed: ${why}\n`);
    return 1;
  }
}

process.exitCode = await main();
// stdin may still be open (readline): leave explicitly once output is flushed.
process.stdout.write('', () => process.exit());
