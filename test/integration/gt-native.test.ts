// gt's native client (native/gt-client.c) against a real town: built from its source here, it gives
// exactly what the Node CLI gives (stdout, stderr, exit code) for the same calls, as the overseer
// and as a polecat with its own token; a polecat gains no rights by it (the town runs the command
// as the caller); and it falls back to the Node CLI by itself when the town cannot run the call (no
// town up, a command that must run in the caller's process, another town named). The client says
// which path a call took on stderr when GT_NATIVE_TRACE=1 (only the trace runs set it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AgentInfo, RigInfo, SlingResult } from '../../preload/requests/work-types.ts';
import type { Bead } from '../../preload/types.ts';
import type { CliRunResult } from '../../preload/requests/cli-runner.ts';
import { buildAgentEnv } from '../../main/agents/agent-env.ts';
import { connectToTown } from '../../main/cli/socket-client.ts';
import { readSecrets } from '../../main/town/config.ts';
import { townPaths } from '../../main/town/paths.ts';
import { agentToken } from '../../main/town/sessions/agent-token.ts';
import { buildNative, NATIVE_SOURCE } from '../../scripts/build-native.ts';
import { GT_BIN } from '../helpers/gt.ts';
import { startTestTown, type TestTown } from './town-fixture.ts';
import { addRig, scriptBead } from './town-work-helpers.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const work = mkdtempSync(join(tmpdir(), 'gt-native-'));
const client = join(work, 'gt-client');

/** `input`: what the command reads on stdin (else stdin is /dev/null). */
function run(file: string, args: string[], env: Record<string, string | undefined>, cwd?: string, input?: string): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(file, args, { env: env as NodeJS.ProcessEnv, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** The environment of a gt call: no identity inherited from this process. */
function cleanEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GT_')) delete env[k];
  return { ...env, ...extra };
}

type Env = Record<string, string | undefined>;
const viaNode = (args: string[], env: Env, cwd?: string, input?: string) => run(process.execPath, [GT_BIN, ...args], env, cwd, input);
const viaNative = (args: string[], env: Env, cwd?: string, input?: string) => run(client, [GT_BIN, ...args], env, cwd, input);
/** Which path the client took: 'town', or the reason it ran the Node CLI. */
async function pathTaken(args: string[], env: Env, cwd?: string, input?: string): Promise<string> {
  const r = await viaNative(args, { ...env, GT_NATIVE_TRACE: '1' }, cwd, input);
  const line = r.stderr.split('\n').find((l) => l.startsWith('gt-native: '));
  assert.ok(line, `the trace names the path: ${r.stderr}`);
  return line.slice('gt-native: '.length);
}

/** Both ways, the same call: identical output and exit code; the native one answered by the town. */
async function same(args: string[], env: Env, cwd?: string, input?: string): Promise<Run> {
  const node = await viaNode(args, env, cwd, input);
  const native = await viaNative(args, env, cwd, input);
  assert.deepEqual(native, node, `gt ${args.join(' ')}: native and Node differ`);
  assert.equal(await pathTaken(args, env, cwd, input), 'town', `gt ${args.join(' ')} was answered by the town`);
  return node;
}

before(() => {
  const built = buildNative({ out: client, force: true });
  assert.ok(built.ok, `the native client builds from native/gt-client.c with cc (needed by these tests): ${built.ok ? '' : built.reason}`);
  assert.equal(built.cached, false);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('the native client with a running town', () => {
  let t: TestTown;
  let rig: RigInfo;
  let victim: SlingResult;
  let intruder: SlingResult;
  let bead: Bead;
  let overseer: Record<string, string | undefined>;
  let intruderEnv: Record<string, string | undefined>;

  before(async () => {
    t = await startTestTown({ tickMs: 500 });
    rig = await addRig(t, 'web', 'wb', 2);
    victim = await t.json<SlingResult>(['sling', (await scriptBead(t, 'web', 'victim job', 'v.txt', 600)).id, 'web']);
    intruder = await t.json<SlingResult>(['sling', (await scriptBead(t, 'web', 'intruder job', 'i.txt', 600)).id, 'web']);
    assert.equal(intruder.outcome, 'hooked');
    bead = await t.json<Bead>(['bead', 'create', '--title', 'ünïcode "quoted"\ttab\\slash', '-d', 'line one\nline two ✓ 𝄞']);
    overseer = cleanEnv({ GT_TOWN: t.dir });
    const owner = readSecrets(townPaths(t.dir)).apiToken;
    intruderEnv = cleanEnv(buildAgentEnv({
      socket: townPaths(t.dir).socket, socketToken: agentToken(owner, intruder.agent!), town: t.dir, agent: intruder.agent!, rig: rig.name, runtime: 'script',
    }));
  });
  after(async () => {
    await t?.cleanup();
  });

  test('as the overseer: help, listings, a bead with odd characters, errors: the same bytes and exit codes as the Node CLI', async () => {
    assert.equal((await same(['--help'], overseer)).code, 0);
    assert.equal((await same(['bead', '--help'], overseer)).code, 0);
    assert.equal((await same(['bead', 'list', '--help'], overseer)).code, 0);
    const list = await same(['bead', 'list', '--json'], overseer);
    assert.equal(list.code, 0);
    assert.ok((JSON.parse(list.stdout) as Bead[]).some((b) => b.id === bead.id));
    assert.equal((await same(['bead', 'list'], overseer)).code, 0);
    const show = await same(['bead', 'show', bead.id, '--json'], overseer);
    assert.equal((JSON.parse(show.stdout) as Bead).title, 'ünïcode "quoted"\ttab\\slash');
    assert.equal((JSON.parse(show.stdout) as Bead).description, 'line one\nline two ✓ 𝄞');
    assert.equal((await same(['bead', 'show', bead.id], overseer)).code, 0);
    // Arguments with quotes, tabs, backslashes, non-ASCII and astral characters reach the town intact.
    assert.equal((await same(['bead', 'search', 'ünïcode "quoted"\ttab\\slash 𝄞'], overseer)).code, 0);
    const unknown = await same(['bead', 'show', 'wb-zzzz9'], overseer);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^gt: .*wb-zzzz9/);
    assert.equal((await same(['frobnicate'], overseer)).code, 2);
    assert.equal((await same(['bead', 'list', '--bogus'], overseer)).code, 2);
    assert.equal((await same(['bead', 'show'], overseer)).code, 2);
    // --town given on the command line (relative to the caller's folder), GT_TOWN absent.
    assert.equal((await same(['--town', 'town', 'status', '--json'], cleanEnv({}), t.base)).code, 0);
    assert.equal((await same(['agent', 'list', '--json'], overseer)).code, 0);
  });

  test('as a polecat with its own token: its hook, its prime, and a refused call: the same as the Node CLI, nothing changed', async () => {
    const cwd = intruder.workdir!;
    const hook = await same(['hook', '--json'], intruderEnv, cwd);
    assert.equal(JSON.parse(hook.stdout).bead.id, intruder.bead);
    const prime = await same(['prime'], intruderEnv, cwd);
    assert.match(prime.stdout, new RegExp(intruder.bead));
    const before = await t.json<AgentInfo>(['agent', 'show', victim.agent!]);
    const remove = await same(['polecat', 'remove', victim.agent!, '--force'], intruderEnv, cwd);
    assert.equal(remove.code, 1);
    assert.equal(remove.stderr, `gt: forbidden: ${intruder.agent} may not polecatRemove: only the overseer or the mayor may\n`);
    const otherHook = await same(['hook', '--agent', victim.agent!, '--json'], intruderEnv, cwd);
    assert.equal(otherHook.code, 1);
    assert.match(otherHook.stderr, /^gt: forbidden: /);
    const rigRemove = await same(['rig', 'remove', rig.name, '--force'], intruderEnv, cwd);
    assert.equal(rigRemove.code, 1);
    assert.match(rigRemove.stderr, /^gt: forbidden: /);
    const after = await t.json<AgentInfo>(['agent', 'show', victim.agent!]);
    assert.deepEqual(after.session, before.session, 'the victim keeps its session');
    assert.equal(after.hook, before.hook);
    assert.ok((await t.json<RigInfo[]>(['rig', 'list'])).some((r) => r.name === rig.name), 'the rig is still there');
  });

  test('cliRun itself: run as the caller (a polecat is refused what it is refused over the socket); another town, or a caller-only command, is not run', async () => {
    const paths = townPaths(t.dir);
    const owner = readSecrets(paths).apiToken;
    const conn = await connectToTown(paths.socket, agentToken(owner, intruder.agent!), intruder.agent!, t.dir);
    try {
      const terminal = { stdin: false, stdout: false, stderr: false, columns: 0 };
      const asked = (argv: string[], env: { GT_TOWN?: string; HOME?: string } = { GT_TOWN: t.dir }) =>
        conn.client.cliRun({ argv, cwd: intruder.workdir!, env, terminal }) as Promise<CliRunResult>;
      const refused = await asked(['polecat', 'remove', victim.agent!, '--force']);
      assert.deepEqual(refused, { ran: true, exitCode: 1, output: [[2, `gt: forbidden: ${intruder.agent} may not polecatRemove: only the overseer or the mayor may\n`]] });
      const elsewhere = await asked(['bead', 'list'], { GT_TOWN: join(t.base, 'other-town') });
      assert.equal(elsewhere.ran, false);
      assert.match((elsewhere as { reason: string }).reason, /other-town/);
      const viaFlag = await asked(['--town', '/somewhere/else', 'bead', 'list']);
      assert.equal(viaFlag.ran, false);
      for (const argv of [['init'], ['up'], ['doctor'], ['runtime', 'list'], ['import', 'x.jsonl'], ['export', '--out', 'x.jsonl'], ['attach', 'mayor'], ['mayor']]) {
        const r = await asked(argv);
        assert.equal(r.ran, false, `gt ${argv.join(' ')} runs in the caller's process`);
        assert.equal((r as { stdin?: true }).stdin, undefined);
      }
      // A hook reads its payload on stdin: the town asks for it, then runs it with it.
      const inSession = { GT_TOWN: t.dir, GT_AGENT: intruder.agent! };
      const wants = await asked(['agent-hook', 'claude-code'], inSession);
      assert.deepEqual(wants, { ran: false, reason: 'gt agent-hook reads stdin: send it along', stdin: true });
      const hook = await conn.client.cliRun({ argv: ['agent-hook', 'claude-code'], cwd: intruder.workdir!, env: inSession, terminal, stdin: '{"hook_event_name":"Stop","session_id":"s-1"}' }) as CliRunResult;
      assert.deepEqual(hook, { ran: true, exitCode: 0, output: [] });
      assert.equal((await t.json<{ conversation: { id: string } | null }>(['agent', 'status', intruder.agent!])).conversation?.id, 's-1', 'the hook reached the town as the polecat');
      // Outside a session, or with the payload as an argument, no stdin is needed.
      assert.deepEqual(await asked(['agent-hook', 'claude-code']), { ran: true, exitCode: 0, output: [] });
      await assert.rejects(conn.client.cliRun({ argv: [], cwd: 'relative', env: {}, terminal } as never), /cwd must be an absolute path/);
    } finally {
      conn.close();
    }
    const agents = await t.json<AgentInfo[]>(['agent', 'list', '--role', 'polecat']);
    assert.ok(agents.some((a) => a.id === victim.agent && a.state === 'working'), 'the victim is still at work');
  });

  test('gt agent-hook (a runtime hook): its payload on stdin reaches the town; the same output as the Node CLI', async () => {
    const cwd = intruder.workdir!;
    const start = await same(['agent-hook', 'claude-code'], intruderEnv, cwd, JSON.stringify({ hook_event_name: 'SessionStart', source: 'startup', session_id: 's-2' }));
    assert.equal(start.code, 0, start.stderr);
    assert.match(start.stdout, new RegExp(intruder.bead!), 'the prime, printed for the CLI to read');
    const broken = await same(['agent-hook', 'gemini-cli'], intruderEnv, cwd, '{not json');
    assert.equal(broken.stdout, '{}');
    assert.match(broken.stderr, /^gt agent-hook: the hook payload is not JSON/);
    assert.equal((await same(['agent-hook', 'claude-code'], intruderEnv, cwd, '\u00ff\x00{"hook_event_name":"Stop"}')).code, 0);
    // Outside a session (no GT_AGENT) the hook does nothing and reads nothing.
    assert.deepEqual(await viaNative(['agent-hook', 'claude-code'], overseer, cwd, '{"hook_event_name":"Stop"}'), { code: 0, stdout: '', stderr: '' });
  });

  test('a command that must run in the caller\'s process: the client runs the Node CLI itself, with the same result', async () => {
    const node = await viaNode(['runtime', 'list', '--json'], overseer);
    const native = await viaNative(['runtime', 'list', '--json'], overseer);
    assert.equal(node.code, 0, node.stderr);
    assert.deepEqual(native, node);
    assert.match(await pathTaken(['runtime', 'list', '--json'], overseer), /^node: the town says: gt runtime list runs in the caller's process/);
    // The exported ledger through a file in the caller's folder.
    const out = join(work, 'export.jsonl');
    const exported = await viaNative(['export', '--out', 'export.jsonl'], overseer, work);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(existsSync(out), 'written in the caller\'s folder');
  });

  test('a wrong token: the town refuses the hello, the client falls back and the Node CLI says why', async () => {
    const env = cleanEnv({ GT_TOWN: t.dir, GT_AGENT: intruder.agent!, GT_SOCKET_TOKEN: 'not-the-token' });
    const node = await viaNode(['hook', '--json'], env);
    const native = await viaNative(['hook', '--json'], env);
    assert.equal(node.code, 1);
    assert.match(node.stderr, /unauthorized/);
    assert.deepEqual(native, node);
    assert.match(await pathTaken(['hook', '--json'], env), /^node: hello refused/);
  });

  test('an agent\'s GT_SOCKET names its town\'s socket; a stale one costs only the fallback', async () => {
    assert.equal(intruderEnv.GT_SOCKET, townPaths(t.dir).socket, 'agents have it');
    assert.equal(await pathTaken(['hook', '--json'], intruderEnv, intruder.workdir!), 'town');
    const stale = { ...overseer, GT_SOCKET: join(work, 'gone.sock') };
    assert.match(await pathTaken(['bead', 'show', bead.id, '--json'], stale), /^node: town not reachable at .*gone\.sock/);
    assert.deepEqual(await viaNative(['bead', 'show', bead.id, '--json'], stale), await viaNode(['bead', 'show', bead.id, '--json'], stale));
  });

  test('through bin/gt: the client is used when it is newer than its source, skipped with GT_NATIVE=0', async () => {
    // A tree shaped like the checkout: bin/gt, bin/gt.mjs (the real one), native/, native/build/.
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'bin'), { recursive: true });
    mkdirSync(join(tree, 'native'), { recursive: true });
    mkdirSync(join(tree, 'native', 'build'), { recursive: true });
    copyFileSync(resolve('bin/gt'), join(tree, 'bin', 'gt'));
    symlinkSync(GT_BIN, join(tree, 'bin', 'gt.mjs'));
    copyFileSync(NATIVE_SOURCE, join(tree, 'native', 'gt-client.c'));
    const built = buildNative({ source: join(tree, 'native', 'gt-client.c'), out: join(tree, 'native', 'build', 'gt-client') });
    assert.ok(built.ok && !built.cached);
    assert.deepEqual(buildNative({ source: join(tree, 'native', 'gt-client.c'), out: join(tree, 'native', 'build', 'gt-client') }), { ok: true, path: join(tree, 'native', 'build', 'gt-client'), cached: true, compiler: process.env.CC || 'cc' }, 'kept when fresh');
    const sh = join(tree, 'bin', 'gt');
    const traced = await run(sh, ['bead', 'show', bead.id, '--json'], { ...overseer, GT_NATIVE_TRACE: '1' });
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(traced.stderr, 'gt-native: town\n');
    const skipped = await run(sh, ['bead', 'show', bead.id, '--json'], { ...overseer, GT_NATIVE_TRACE: '1', GT_NATIVE: '0' });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(skipped.stderr, '', 'GT_NATIVE=0: straight to Node');
    assert.equal(skipped.stdout, traced.stdout);
  });
});

describe('the native client without a running town', () => {
  test('no town up, or no town at all: the Node CLI\'s own answers', async () => {
    const base = mkdtempSync(join(work, 'down-'));
    const town = join(base, 'town');
    const env = cleanEnv({ GT_TOWN: town });
    for (const args of [['bead', 'list'], ['status', '--json'], ['--help'], ['hook', '--json']]) {
      const node = await viaNode(args, env);
      const native = await viaNative(args, env);
      assert.deepEqual(native, node, `gt ${args.join(' ')}`);
    }
    assert.match(await pathTaken(['bead', 'list'], env), /^node: no secrets.json/);
    const init = await viaNative(['init'], env);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /town created/);
    // Initialised but not up: the socket is not there.
    const down = await viaNative(['bead', 'list'], env);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /not up: run `gt up`/);
    assert.match(await pathTaken(['bead', 'list'], env), /^node: town not reachable/);
  });

  test('no C compiler: the build says so and gt still works through Node', async () => {
    const tree = join(work, 'nocc');
    mkdirSync(join(tree, 'bin'), { recursive: true });
    mkdirSync(join(tree, 'native'), { recursive: true });
    copyFileSync(resolve('bin/gt'), join(tree, 'bin', 'gt'));
    symlinkSync(GT_BIN, join(tree, 'bin', 'gt.mjs'));
    copyFileSync(NATIVE_SOURCE, join(tree, 'native', 'gt-client.c'));
    const saved = process.env.CC;
    process.env.CC = join(tree, 'no-such-cc');
    let built;
    try {
      built = buildNative({ source: join(tree, 'native', 'gt-client.c'), out: join(tree, 'native', 'build', 'gt-client') });
    } finally {
      if (saved === undefined) delete process.env.CC;
      else process.env.CC = saved;
    }
    assert.equal(built.ok, false);
    assert.match((built as { reason: string }).reason, /no C compiler/);
    assert.equal(existsSync(join(tree, 'native', 'build', 'gt-client')), false, 'no half-built client left');
    const help = await run(join(tree, 'bin', 'gt'), ['--help'], cleanEnv({ GT_NATIVE_TRACE: '1' }));
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^gt: run a town/);
    assert.equal(help.stderr, '', 'no client: bin/gt ran Node directly');
  });
});

