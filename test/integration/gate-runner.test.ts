// The Refinery's gate runner (main/refinery/gate-runner.ts) with real processes, through both of its
// paths: the git runner (native/git-runner.c, built here into a temp folder) and node's spawn (the
// fallback when the runner is not available). Each behaviour is checked on both: pass and fail with
// stdout and stderr, the environment, the working folder, onStart's pid leading its own group, a
// timeout and an abort killing the whole group (a background grandchild too), leftovers killed when
// the shell exits, 126/127 and a folder that does not exist as 'unavailable', and an output far
// over the cap (80 MB: over the runner's 64 MiB kill limit for git) passing with its tail kept.
// Through the runner only: a runner killed mid-gate answers 'unavailable' at once and kills the
// gate's group, the next gates go through node's spawn while it restarts, then through a new runner;
// and runGate uses the town's runner by default when it is built.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNative, GIT_RUNNER } from '../../scripts/build-native.ts';
import { builtRunner, GitRunner } from '../../main/git/git-runner.ts';
import { gitRunnerPid } from '../../main/git/run-git.ts';
import { runGate, type GateRunOptions } from '../../main/refinery/gate-runner.ts';
import type { GateConfig } from '../../main/refinery/types.ts';

const base = mkdtempSync(join(tmpdir(), 'gt-gate-runner-'));
after(() => rmSync(base, { recursive: true, force: true }));
const built = buildNative({ source: GIT_RUNNER.source, out: join(base, 'git-runner'), force: true });
assert.ok(built.ok, `this test needs a C compiler to build the git runner: ${built.ok ? '' : built.reason}`);
const binary = built.path;

let seq = 0;
/** A fresh folder for one gate. */
function folder(): string {
  const dir = join(base, `g${++seq}`);
  mkdirSync(dir);
  return dir;
}

/** Whether `pid` is a live process (a zombie, killed but not yet reaped, is not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function gone(pid: number, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (!alive(pid)) return true;
  return !alive(pid);
}

/** The process group of `pid` (field 5 of /proc/pid/stat). */
function groupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

const gate = (command: string, timeoutMs = 60_000): GateConfig => ({ command, timeoutMs });
/** A gate that starts a background sleep (its pid in `pidFile`) and waits for it. */
const hanging = (pidFile: string) => `sleep 30 & echo $! > ${pidFile}; echo started; wait`;

type Path = { name: string; runner: () => GitRunner | null; parent: () => number | null };
const runner = new GitRunner(binary, process.env);
after(() => runner.close());
const PATHS: Path[] = [
  { name: 'runner', runner: () => runner, parent: () => runner.pid },
  { name: 'node spawn', runner: () => null, parent: () => process.pid },
];

for (const p of PATHS) {
  const run = (g: GateConfig, opts: Partial<GateRunOptions> = {}) => runGate(g, { cwd: folder(), runner: p.runner(), ...opts });

  test(`${p.name}: pass and fail, stdout and stderr, environment, started by this path`, async () => {
    const ok = await run(gate('echo "out $PPID"; echo err >&2; echo "$GT_GATE_X|${GT_NOT_SET-unset}"'), { env: { GT_GATE_X: 'x1' } });
    assert.equal(ok.outcome, 'pass');
    assert.equal(ok.exitCode, 0);
    const lines = ok.output.split('\n');
    assert.ok(lines.includes('err'), ok.output);
    assert.ok(lines.includes('x1|unset'), ok.output);
    assert.ok(lines.includes(`out ${p.parent()}`), `the gate's parent is ${p.name === 'runner' ? 'the runner' : 'this process'}: ${ok.output}`);
    const failed = await run(gate('echo "tests failed"; exit 3'));
    assert.deepEqual([failed.outcome, failed.exitCode, failed.output], ['fail', 3, 'tests failed\n']);
  });

  test(`${p.name}: the working folder is honoured; one that does not exist is 'unavailable'`, async () => {
    const cwd = folder();
    const r = await runGate(gate('pwd'), { cwd, runner: p.runner() });
    assert.equal(r.output, `${realpathSync(cwd)}\n`);
    const missing = await runGate(gate('pwd'), { cwd: join(base, 'no-such-folder'), runner: p.runner() });
    assert.deepEqual([missing.outcome, missing.exitCode], ['unavailable', null]);
    assert.match(missing.output, /\[gate could not start: spawn sh ENOENT\]/);
  });

  test(`${p.name}: onStart gets the pid of the gate's shell, which leads its own group`, async () => {
    const dir = folder();
    let seen: { pgid: number; group: number } | null = null;
    const r = await runGate(gate(`echo $$ > shell.pid; sleep 0.5`), {
      cwd: dir, runner: p.runner(),
      onStart: (pgid) => {
        seen = { pgid, group: groupOf(pgid) };
      },
    });
    assert.equal(r.outcome, 'pass');
    assert.ok(seen, 'onStart was called');
    const s = seen as { pgid: number; group: number };
    assert.equal(s.group, s.pgid, 'the pid leads its own process group');
    assert.notEqual(s.group, groupOf(process.pid));
    assert.equal(Number(readFileSync(join(dir, 'shell.pid'), 'utf8')), s.pgid, "it is the gate's shell");
  });

  test(`${p.name}: a timeout kills the whole group, a background grandchild too`, async () => {
    const dir = folder();
    const r = await runGate(gate(hanging(join(dir, 'sleep.pid')), 500), { cwd: dir, runner: p.runner() });
    assert.deepEqual([r.outcome, r.exitCode], ['timeout', null]);
    assert.match(r.output, /^started\n\n\[gate timed out after 500 ms; its process group was killed\]$/);
    assert.ok(r.durationMs < 5000, `answered at the timeout (${r.durationMs} ms)`);
    assert.ok(await gone(Number(readFileSync(join(dir, 'sleep.pid'), 'utf8'))), 'the grandchild was killed');
  });

  test(`${p.name}: an abort kills the whole group, before or after it started`, async () => {
    const dir = folder();
    const ac = new AbortController();
    const r = await runGate(gate(hanging(join(dir, 'sleep.pid'))), { cwd: dir, runner: p.runner(), signal: ac.signal, onStart: () => setTimeout(() => ac.abort(), 300) });
    assert.deepEqual([r.outcome, r.exitCode], ['aborted', null]);
    assert.match(r.output, /\[gate aborted: the refinery is stopping\]$/);
    assert.ok(r.durationMs < 5000, `answered at the abort (${r.durationMs} ms)`);
    assert.ok(await gone(Number(readFileSync(join(dir, 'sleep.pid'), 'utf8'))), 'the grandchild was killed');
    const early = new AbortController();
    early.abort();
    let pgid = 0;
    const before = await run(gate('sleep 30'), { signal: early.signal, onStart: (g) => (pgid = g) });
    assert.equal(before.outcome, 'aborted');
    assert.ok(pgid && (await gone(pgid)), 'the gate started under an aborted signal was killed');
  });

  test(`${p.name}: what the shell leaves behind is killed when it exits; the gate does not wait for it`, async () => {
    const dir = folder();
    const r = await runGate(gate(`sleep 30 & echo $! > sleep.pid; echo done`), { cwd: dir, runner: p.runner() });
    assert.deepEqual([r.outcome, r.output], ['pass', 'done\n']);
    assert.ok(r.durationMs < 5000, `${r.durationMs} ms`);
    assert.ok(await gone(Number(readFileSync(join(dir, 'sleep.pid'), 'utf8'))), 'the leftover was killed');
  });

  test(`${p.name}: 127 (not found) and 126 (not executable) are 'unavailable'`, async () => {
    const notFound = await run(gate('no-such-command-gt-gate'));
    assert.deepEqual([notFound.outcome, notFound.exitCode], ['unavailable', 127]);
    assert.match(notFound.output, /\[gate command cannot run \(exit 127\): no-such-command-gt-gate\]$/);
    const dir = folder();
    writeFileSync(join(dir, 'tests.sh'), 'echo hi\n');
    chmodSync(join(dir, 'tests.sh'), 0o644);
    const notExecutable = await runGate(gate('./tests.sh'), { cwd: dir, runner: p.runner() });
    assert.deepEqual([notExecutable.outcome, notExecutable.exitCode], ['unavailable', 126]);
  });

  test(`${p.name}: output over 64 KB passes with its tail kept, even 80 MB of it`, async () => {
    const r = await run(gate('seq 1 40000; echo END'));
    assert.equal(r.outcome, 'pass');
    assert.ok(r.output.startsWith('[…output truncated…]\n'), r.output.slice(0, 80));
    assert.ok(r.output.endsWith('40000\nEND\n'), r.output.slice(-80));
    assert.equal(r.output.length, '[…output truncated…]\n'.length + 64 * 1024);
    const short = await run(gate('seq 1 100'));
    assert.ok(short.output.startsWith('1\n2\n') && !short.output.includes('truncated'));
    const huge = await run(gate(`head -c 80000000 /dev/zero | tr '\\0' x; echo; echo END`));
    assert.deepEqual([huge.outcome, huge.exitCode], ['pass', 0]);
    assert.ok(huge.output.startsWith('[…output truncated…]\nxxxx'));
    assert.ok(huge.output.endsWith('xxxx\nEND\n'));
  });
}

test('runner: a runner killed mid-gate fails the gate at once, kills its group; gates go through node until a new runner is up', async (t) => {
  const own = new GitRunner(binary, process.env);
  t.after(() => own.close());
  const dir = folder();
  const gatePid: { pgid?: number } = {};
  const running = runGate(gate(hanging(join(dir, 'sleep.pid'))), { cwd: dir, runner: own, onStart: (g) => (gatePid.pgid = g) });
  for (let i = 0; i < 200 && !gatePid.pgid; i++) await new Promise((r) => setTimeout(r, 10));
  const runnerPid = own.pid;
  assert.ok(runnerPid && gatePid.pgid, 'the gate started through the runner');
  await new Promise((r) => setTimeout(r, 100));
  process.kill(runnerPid, 'SIGKILL');
  const r = await running;
  assert.deepEqual([r.outcome, r.exitCode], ['unavailable', null]);
  assert.match(r.output, /\[the git runner killed by SIGKILL while the gate ran; its outcome is unknown; its process group was killed\]$/);
  assert.ok(r.durationMs < 5000, `answered when the runner died (${r.durationMs} ms)`);
  assert.ok(await gone(gatePid.pgid), "the gate's shell was killed");
  assert.ok(await gone(Number(readFileSync(join(dir, 'sleep.pid'), 'utf8'))), 'and its grandchild');

  // Meanwhile (the restart policy's delay) gates are started by node: their parent is this process.
  const meanwhile = await runGate(gate('echo $PPID'), { cwd: folder(), runner: own });
  assert.deepEqual([meanwhile.outcome, meanwhile.output], ['pass', `${process.pid}\n`]);
  let again = '';
  for (let i = 0; i < 100 && own.pid === null; i++) {
    again = (await runGate(gate('echo $PPID'), { cwd: folder(), runner: own })).output;
    if (own.pid === null) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(own.pid && own.pid !== runnerPid, 'a new runner was started');
  const fresh = await runGate(gate('echo $PPID'), { cwd: folder(), runner: own });
  assert.deepEqual([fresh.outcome, fresh.output], ['pass', `${own.pid}\n`], `after the restart the runner starts gates (last meanwhile: ${again.trim()})`);
});

test("runGate uses the town's runner when it is built", async () => {
  assert.ok(builtRunner(), 'native/build/git-runner is not built or older than its source: npm test builds it (npx tsx scripts/build-native.ts)');
  const r = await runGate(gate('echo $PPID'), { cwd: folder() });
  assert.equal(r.outcome, 'pass');
  assert.ok(gitRunnerPid(), 'the runner is running');
  assert.equal(r.output, `${gitRunnerPid()}\n`, "the gate's parent is the town's runner");
});
