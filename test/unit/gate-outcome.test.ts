// The gate's outcome and output tail (main/refinery/gate-runner.ts), shared by its two paths (the
// git runner and node's spawn), without a process: what each way of ending gives, in which order
// they count, and the tail's cap and marker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateOutcome, tailText, type GateExit } from '../../main/refinery/gate-runner.ts';

const gate = { command: 'npm test', timeoutMs: 1000 };
const ended = (e: Partial<GateExit>) => gateOutcome({ code: null, timedOut: false, aborted: false, spawnError: null, ...e }, gate);

test('exit codes: 0 passes, others fail, 126 and 127 mean the gate cannot run', () => {
  assert.deepEqual(ended({ code: 0 }), { outcome: 'pass', exitCode: 0, note: '' });
  assert.deepEqual(ended({ code: 1 }), { outcome: 'fail', exitCode: 1, note: '' });
  assert.deepEqual(ended({ code: 128 }), { outcome: 'fail', exitCode: 128, note: '' });
  assert.deepEqual(ended({ code: null }), { outcome: 'fail', exitCode: null, note: '' }, 'killed from outside');
  assert.deepEqual(ended({ code: 127 }), { outcome: 'unavailable', exitCode: 127, note: '\n[gate command cannot run (exit 127): npm test]' });
  assert.deepEqual(ended({ code: 126 }).outcome, 'unavailable');
});

test('not started, aborted, timed out, runner lost — and which counts first', () => {
  assert.deepEqual(ended({ spawnError: 'spawn sh ENOENT' }), { outcome: 'unavailable', exitCode: null, note: '\n[gate could not start: spawn sh ENOENT]' });
  assert.deepEqual(ended({ aborted: true }), { outcome: 'aborted', exitCode: null, note: '\n[gate aborted: the refinery is stopping]' });
  assert.deepEqual(ended({ timedOut: true }), { outcome: 'timeout', exitCode: null, note: '\n[gate timed out after 1000 ms; its process group was killed]' });
  assert.deepEqual(ended({ lost: 'the git runner exited with 2 while the gate ran; its outcome is unknown' }), {
    outcome: 'unavailable', exitCode: null, note: '\n[the git runner exited with 2 while the gate ran; its outcome is unknown; its process group was killed]',
  });
  assert.equal(ended({ spawnError: 'spawn sh EACCES', aborted: true, timedOut: true }).outcome, 'unavailable');
  assert.equal(ended({ aborted: true, timedOut: true, code: 0 }).outcome, 'aborted', 'an abort wins over a timeout and an exit');
  assert.equal(ended({ timedOut: true, code: 0 }).outcome, 'timeout', 'a gate that exits 0 as its timeout kills it still timed out');
  assert.equal(ended({ aborted: true, lost: 'gone' }).outcome, 'aborted');
  assert.equal(ended({ lost: 'gone', code: 0 }).outcome, 'unavailable');
});

test('the tail: the last 64 K characters, marked when anything was dropped', () => {
  const cap = 64 * 1024;
  assert.equal(tailText('short\n', false), 'short\n');
  assert.equal(tailText('x'.repeat(cap), false), 'x'.repeat(cap));
  assert.equal(tailText(`a${'x'.repeat(cap)}`, false), `[…output truncated…]\n${'x'.repeat(cap)}`);
  assert.equal(tailText('end\n', true), '[…output truncated…]\nend\n', 'dropped before');
});
