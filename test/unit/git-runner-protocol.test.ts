// The git runner's wire format and environment changes (main/git/git-runner.ts), without a process:
// requests encode as native/git-runner.c reads them (with a gate's folder, flags and tail cap too);
// answers and started notices split across chunks come out whole and in order; a run's
// environment is sent as what differs from the runner's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRequest, environmentChanges, extraChanges, gitSubcommand, ResponseReader, RUN_FLAGS, type RunnerFrame, type RunnerResult } from '../../main/git/git-runner.ts';

/** An answer frame as the runner writes it. */
function answer(id: number, code: number, signal: number, errno: number, flags: number, out: string, err: string): Buffer {
  const o = Buffer.from(out), e = Buffer.from(err);
  const head = Buffer.alloc(32);
  head.writeUInt32LE(28 + o.length + e.length, 0);
  head.writeUInt32LE(id, 4);
  head.writeInt32LE(code, 8);
  head.writeInt32LE(signal, 12);
  head.writeInt32LE(errno, 16);
  head.writeUInt32LE(flags, 20);
  head.writeUInt32LE(o.length, 24);
  head.writeUInt32LE(e.length, 28);
  return Buffer.concat([head, o, e]);
}

const header = (frame: Buffer) => [4, 8, 12, 16, 20, 24].map((at) => frame.readUInt32LE(at));

test('a request: length, id, timeout, flags, cap, counts, then the NUL-terminated folder, argv and environment changes', () => {
  const frame = encodeRequest(7, 1500, ['git', '-C', '/tmp/é', 'status'], ['A=1', 'B']);
  assert.equal(frame.readUInt32LE(0), frame.length - 4);
  assert.deepEqual(header(frame), [7, 1500, 0, 0, 4, 2]);
  assert.deepEqual(frame.subarray(28).toString('utf8').split('\0'), ['', 'git', '-C', '/tmp/é', 'status', 'A=1', 'B', '']);
  assert.throws(() => encodeRequest(1, 0, ['git', 'a\0b'], []), /NUL/);
  assert.throws(() => encodeRequest(1, 0, ['sh'], [], { cwd: '/a\0b' }), /NUL/);
  // A gate: its folder, own group, tail of 256 KiB, one output, started notice; a timeout past 32 bits is capped.
  const flags = RUN_FLAGS.group | RUN_FLAGS.tail | RUN_FLAGS.merged | RUN_FLAGS.notify;
  const gate = encodeRequest(8, 2 ** 40, ['sh', '-c', 'npm test'], [], { flags, cap: 262144, cwd: '/w/ré' });
  assert.equal(gate.readUInt32LE(0), gate.length - 4);
  assert.deepEqual(header(gate), [8, 0xffffffff, 15, 262144, 3, 0]);
  assert.deepEqual(gate.subarray(28).toString('utf8').split('\0'), ['/w/ré', 'sh', '-c', 'npm test', '']);
});

test('answers split anywhere across chunks come out whole, in order, with codes, signals, errors and flags', () => {
  const frames = Buffer.concat([
    answer(1, 0, 0, 0, 0, 'abc\n', ''),
    answer(2, 128, 0, 0, 0, '', 'fatal: no\n'),
    answer(3, -1, 15, 0, 1, 'partial', ''),
    answer(4, -1, 0, 2, 0, '', ''),
    answer(5, -1, 15, 0, 2, 'x'.repeat(70_000), ''),
    answer(6, 4242, 0, 0, 4, '', ''), // started: the pid in the code field
    answer(6, 0, 0, 0, 8, 'tail', ''),
  ]);
  for (const size of [1, 3, 31, 1000, frames.length]) {
    const reader = new ResponseReader();
    const got: RunnerFrame[] = [];
    for (let at = 0; at < frames.length; at += size) got.push(...reader.push(frames.subarray(at, at + size)));
    assert.deepEqual(got.map((g) => g.id), [1, 2, 3, 4, 5, 6, 6], `chunks of ${size}`);
    const [ok, failed, timedOut, notStarted, overLimit] = got.slice(0, 5).map((g) => (g as { result: RunnerResult }).result);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout.toString(), 'abc\n');
    assert.equal(failed.code, 128);
    assert.equal(failed.stderr.toString(), 'fatal: no\n');
    assert.deepEqual([timedOut.code, timedOut.signal, timedOut.timedOut, timedOut.stdout.toString()], [null, 'SIGTERM', true, 'partial']);
    assert.deepEqual([notStarted.code, notStarted.spawnError], [null, 'ENOENT']);
    assert.deepEqual([overLimit.overLimit, overLimit.stdout.length], [true, 70_000]);
    assert.deepEqual([ok.truncated, ok.lost, overLimit.truncated], [false, null, false]);
    assert.deepEqual(got[5], { id: 6, started: 4242 });
    const tail = (got[6] as { result: RunnerResult }).result;
    assert.deepEqual([tail.code, tail.truncated, tail.overLimit, tail.stdout.toString()], [0, true, false, 'tail']);
  }
});

test('environment changes: what is set or changed, and what is gone', () => {
  assert.deepEqual(environmentChanges({ A: '1', B: '2', C: '3' }, { A: '1', B: 'two', D: '4' }).sort(), ['B=two', 'C', 'D=4']);
  assert.deepEqual(environmentChanges({ A: '1' }, { A: '1' }), []);
});

test("a run's extra variables: only those it sets anew or to another value", () => {
  assert.deepEqual(extraChanges({ A: '1', B: '2' }, { A: '1', B: 'two', C: '3' }), ['B=two', 'C=3']);
  assert.deepEqual(extraChanges({ A: '1' }, undefined), []);
  assert.deepEqual(extraChanges({ A: '1' }, {}), []);
});

test("git's subcommand is found after -C and -c options", () => {
  assert.equal(gitSubcommand(['-C', '/repo', 'rev-parse', 'HEAD']), 'rev-parse');
  assert.equal(gitSubcommand(['-C', '/repo', '-c', 'alias.x=!true', 'x']), 'x');
  assert.equal(gitSubcommand(['--no-pager', 'log']), 'log');
});
