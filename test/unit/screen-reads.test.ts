import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScreenReads } from '../../main/pty-host/screen-reads.ts';

/** Reads that finish only when told, started through a `defer` the test runs by hand. */
function harness() {
  const deferred: Array<() => void> = [];
  const reads = new ScreenReads((fn) => deferred.push(fn));
  const log: string[] = [];
  const finishers = new Map<string, { ok(v: string): void; fail(e: Error): void }>();
  const read = (name: string): Promise<string> => reads.run(() => {
    log.push(`start ${name}`);
    return new Promise<string>((ok, fail) => finishers.set(name, { ok, fail }));
  });
  const startDeferred = (): void => { for (const fn of deferred.splice(0)) fn(); };
  const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
  return { reads, read, log, finishers, deferred, startDeferred, settle };
}

test('reads run one at a time, in the order asked, each started through defer', async () => {
  const { reads, read, log, finishers, deferred, startDeferred, settle } = harness();
  const a = read('a');
  const b = read('b');
  const c = read('c');
  assert.deepEqual(log, [], 'nothing starts before defer runs it');
  assert.equal(deferred.length, 1, 'only the first read is started');
  assert.equal(reads.pending, 3);
  startDeferred();
  assert.deepEqual(log, ['start a']);
  finishers.get('a')!.ok('A');
  assert.equal(await a, 'A');
  await settle();
  assert.deepEqual(log, ['start a'], 'b waits for defer even after a finished');
  assert.equal(deferred.length, 1);
  startDeferred();
  assert.deepEqual(log, ['start a', 'start b']);
  finishers.get('b')!.ok('B');
  assert.equal(await b, 'B');
  await settle();
  startDeferred();
  finishers.get('c')!.ok('C');
  assert.equal(await c, 'C');
  await settle();
  assert.equal(reads.pending, 0);
  assert.equal(deferred.length, 0, 'nothing left to start');
});

test('a read that fails (or throws) gives its caller the error and does not stop the next', async () => {
  const { reads, read, log, finishers, startDeferred, settle } = harness();
  const a = read('a');
  const thrower = reads.run((): Promise<string> => { throw new Error('thrown'); });
  const c = read('c');
  startDeferred();
  finishers.get('a')!.fail(new Error('failed'));
  await assert.rejects(a, /failed/);
  await settle();
  startDeferred();
  await assert.rejects(thrower, /thrown/);
  await settle();
  startDeferred();
  assert.deepEqual(log, ['start a', 'start c']);
  finishers.get('c')!.ok('C');
  assert.equal(await c, 'C');
});

test('a read asked for while idle starts at the next defer, not at once', async () => {
  const { read, log, finishers, startDeferred, settle } = harness();
  const a = read('a');
  assert.deepEqual(log, []);
  startDeferred();
  finishers.get('a')!.ok('A');
  await a;
  await settle();
  const b = read('b');
  assert.deepEqual(log, ['start a']);
  startDeferred();
  assert.deepEqual(log, ['start a', 'start b']);
  finishers.get('b')!.ok('B');
  await b;
});
