// The town's side of the native client (main/cli/cli-runner.ts) without a town: which calls it runs
// and which it leaves to the caller's own process, the caller's town folder, output in order, exit
// codes, and what a command's requests get (a stand-in client records them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TownError } from '../../preload/errors.ts';
import type { TownClient } from '../../preload/contract.ts';
import { callerTownDir, runForCaller, type CliRunRequest } from '../../main/cli/cli-runner.ts';
import { mainHelp } from '../../main/cli/gt.ts';

const TOWN = '/home/u/town';

function request(argv: string[], more: Partial<CliRunRequest> = {}): CliRunRequest {
  return { argv, cwd: '/home/u/work', env: { GT_TOWN: TOWN, HOME: '/home/u' }, terminal: { stdin: false, stdout: false, stderr: false, columns: 0 }, ...more };
}

/** A stand-in client: each request name answers with `answers[name]` (a function of its args). */
function deps(answers: Record<string, (args: Record<string, unknown>) => unknown>) {
  const calls: Array<[string, unknown]> = [];
  let closed = 0;
  const client = new Proxy({}, {
    get: (_t, name: string) => async (args: Record<string, unknown>) => {
      calls.push([name, args]);
      const answer = answers[name];
      if (!answer) throw new TownError('invalid', `unexpected request ${name}`);
      return answer(args);
    },
  }) as TownClient;
  return { calls, closed: () => closed, deps: { townRoot: TOWN, connect: () => ({ client, close: () => void closed++ }) } };
}

test('the caller\'s town folder: --town, else GT_TOWN, else ~/gt, against the caller\'s folder', () => {
  assert.equal(callerTownDir(request([]), 'other'), '/home/u/work/other');
  assert.equal(callerTownDir(request([]), undefined), TOWN);
  assert.equal(callerTownDir(request([], { env: { GT_TOWN: '../t/./x/', HOME: '/home/u' } }), ''), '/home/u/t/x');
  assert.equal(callerTownDir(request([], { env: { HOME: '/home/u' } }), undefined), '/home/u/gt');
  assert.equal(callerTownDir(request([], { env: {} }), undefined), null);
});

test('help and usage errors: the Node CLI\'s output and exit codes, no request made', async () => {
  const d = deps({});
  assert.deepEqual(await runForCaller(request(['--help']), d.deps), { ran: true, exitCode: 0, output: [[1, mainHelp() + '\n']] });
  assert.deepEqual(await runForCaller(request(['frobnicate']), d.deps), { ran: true, exitCode: 2, output: [[2, 'gt: unknown command: frobnicate (see `gt --help`)\n']] });
  const bad = await runForCaller(request(['bead', 'show', '--bogus']), d.deps);
  assert.equal(bad.ran && bad.exitCode, 2);
  assert.deepEqual(d.calls, []);
});

test('a command runs with the caller\'s folder; its requests go to the client; a refusal is exit 1 on stderr', async () => {
  const d = deps({
    beadShow: ({ id }) => ({ id, title: 'T' }),
    done: ({ cwd }) => { throw new TownError('forbidden', `forbidden: not in ${String(cwd)}`); },
  });
  assert.deepEqual(await runForCaller(request(['bead', 'show', 'wb-abc', '--json']), d.deps), { ran: true, exitCode: 0, output: [[1, '{\n  "id": "wb-abc",\n  "title": "T"\n}\n']] });
  assert.deepEqual(await runForCaller(request(['done']), d.deps), { ran: true, exitCode: 1, output: [[2, 'gt: forbidden: not in /home/u/work\n']] });
  assert.deepEqual(d.calls, [['beadShow', { id: 'wb-abc', asOf: undefined }], ['done', { cwd: '/home/u/work' }]]);
  assert.equal(d.closed(), 2, 'every connection closed');
});

test('not run here: caller-only commands, another town, a hook\'s stdin until it is sent', async () => {
  const d = deps({ agentHook: ({ payload }) => ({ output: `got ${JSON.stringify(payload)}` }) });
  for (const argv of [['init'], ['up'], ['serve'], ['doctor'], ['runtime', 'list'], ['import', 'f'], ['export', '-o', 'f'], ['attach', 'mayor'], ['mayor'], ['convoy', 'create', 'c', '--csv', 'f', '--title-template', 't']]) {
    const r = await runForCaller(request(argv), d.deps);
    assert.equal(r.ran, false, argv.join(' '));
  }
  const mayor = deps({ mayorStart: () => ({ started: false, terminal: 't1', agent: 'mayor' }) });
  assert.deepEqual(await runForCaller(request(['mayor', '--no-attach']), mayor.deps), { ran: true, exitCode: 0, output: [[1, 'already running: the Mayor in terminal t1\n']] }, 'no attach: it runs here');
  const other = await runForCaller(request(['bead', 'list'], { env: { GT_TOWN: '/elsewhere' } }), d.deps);
  assert.deepEqual(other, { ran: false, reason: 'the call names the town at /elsewhere, not this one' });
  const agentEnv = { GT_TOWN: TOWN, GT_AGENT: 'web/polecats/a' };
  assert.deepEqual(await runForCaller(request(['agent-hook', 'claude-code'], { env: agentEnv }), d.deps), { ran: false, reason: 'gt agent-hook reads stdin: send it along', stdin: true });
  const hook = await runForCaller(request(['agent-hook', 'claude-code'], { env: agentEnv, stdin: '{"hook_event_name":"Stop","transcript":"dropped"}' }), d.deps);
  assert.deepEqual(hook, { ran: true, exitCode: 0, output: [[1, 'got {"hook_event_name":"Stop"}']] });
  // A terminal on stdin is read as empty, as the Node CLI does; outside a session nothing is read.
  const tty = await runForCaller(request(['agent-hook', 'claude-code'], { env: agentEnv, terminal: { stdin: true, stdout: true, stderr: true, columns: 80 } }), d.deps);
  assert.deepEqual(tty, { ran: true, exitCode: 0, output: [[1, 'got {}']] });
  assert.deepEqual(await runForCaller(request(['agent-hook', 'claude-code']), d.deps), { ran: true, exitCode: 0, output: [] });
});
