// The `gt` CLI end to end against a real town: real Dolt, real PTY host, real socket.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { connectToTown } from '../../main/cli/socket-client.ts';
import { readSecrets } from '../../main/town/config.ts';
import { townPaths } from '../../main/town/paths.ts';
import { findDolt } from '../../main/ledger/dolt-locate.ts';
import { alive, commandName, descendants, gt, startTown, tempTownDir, waitFor, type RunningTown } from '../helpers/gt.ts';

describe('gt without a running town', () => {
  const town = tempTownDir();
  after(() => town.cleanup());

  test('--help lists every command; <command> --help describes its options', async () => {
    const help = await gt(['--help']);
    assert.equal(help.code, 0);
    for (const cmd of ['init', 'up', 'serve', 'status', 'bead create', 'bead show', 'bead list']) assert.match(help.stdout, new RegExp(`\\b${cmd}\\b`));
    const create = await gt(['bead', 'create', '--help']);
    assert.equal(create.code, 0);
    assert.match(create.stdout, /--title TEXT/);
    assert.match(create.stdout, /--town DIR/);
  });

  test('unknown command and unknown flag: one-line error, non-zero exit', async () => {
    const cmd = await gt(['frobnicate']);
    assert.equal(cmd.code, 2);
    assert.equal(cmd.stderr.trim().split('\n').length, 1, cmd.stderr);
    assert.match(cmd.stderr, /unknown command: frobnicate/);
    const flag = await gt(['status', '--bogus'], { town: town.dir });
    assert.equal(flag.code, 2);
    assert.equal(flag.stderr.trim().split('\n').length, 1, flag.stderr);
    assert.match(flag.stderr, /--bogus/);
  });

  test('runtime list --json: every built-in runtime, the scripted one named as such and installed', async () => {
    const r = await gt(['runtime', 'list', '--json'], { town: town.dir });
    assert.equal(r.code, 0, r.stderr);
    const runtimes = JSON.parse(r.stdout) as Array<{ name: string; command: string; installed: boolean; label: string }>;
    assert.deepEqual(runtimes.map((x) => x.name).sort(), ['claude', 'codex', 'copilot', 'gemini', 'opencode', 'script', 'shell']);
    const script = runtimes.find((x) => x.name === 'script')!;
    assert.equal(script.installed, true);
    assert.match(script.label, /script/i);
    for (const x of runtimes) assert.ok(x.command.length > 0, x.name);
  });

  test('a missing town: one-line error saying to run gt init', async () => {
    const r = await gt(['bead', 'list'], { town: town.dir });
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /gt init/);
  });

  test('init creates config, a 0600 secrets file and the Dolt folder; twice is harmless', async () => {
    const first = await gt(['init'], { town: town.dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /town created/);
    const paths = townPaths(town.dir);
    assert.equal(statSync(paths.secrets).mode & 0o777, 0o600);
    assert.ok(statSync(paths.doltData).isDirectory());
    const secretsBefore = readSecrets(paths);
    const second = await gt(['init'], { town: town.dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /already exists/);
    assert.deepEqual(readSecrets(paths), secretsBefore, 'a second init must not replace the secrets');
  });

  test('a town that is not up: fails fast with a message saying to run gt up', async () => {
    const r = await gt(['bead', 'list'], { town: town.dir });
    assert.equal(r.code, 3);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /not up: run `gt up`/);
    // The issue asks for under 2 s; timings are printed, not asserted (shared, noisy machines).
    console.log(`# gt against a town that is not up answered in ${Math.round(r.ms)} ms`);
    const status = await gt(['status', '--json'], { town: town.dir });
    assert.equal(status.code, 3);
    assert.equal(JSON.parse(status.stdout).up, false);
  });
});

describe('gt up with a real town', () => {
  const town = tempTownDir();
  let running: RunningTown;

  before(async () => {
    const init = await gt(['init'], { town: town.dir });
    assert.equal(init.code, 0, init.stderr);
    running = await startTown(town.dir, 'up');
  });
  after(async () => {
    await running?.stop();
    town.cleanup();
  });

  test('prints one ready line; status --json reports Dolt, the PTY host and counts', async () => {
    assert.equal(running.ready.trim().split('\n').length, 1, running.ready);
    const r = await gt(['status', '--json'], { town: town.dir });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.up, true);
    assert.ok(s.dolt.port > 0 && Number.isInteger(s.dolt.pid) && alive(s.dolt.pid));
    assert.ok(Number.isInteger(s.ptyHost.pid) && alive(s.ptyHost.pid));
    assert.equal(typeof s.beads, 'number');
    assert.equal(typeof s.agents, 'number');
  });

  test('a second gt up on the same town is refused', async () => {
    const r = await gt(['up'], { town: town.dir });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /already up/);
  });

  test('bead create → show → list, and dolt log shows an authored commit for it', async () => {
    const created = await gt(['bead', 'create', '--title', 'hello', '--json'], { town: town.dir, env: { GT_AGENT: 'mayor' } });
    assert.equal(created.code, 0, created.stderr);
    const bead = JSON.parse(created.stdout);
    assert.match(bead.id, /^hq-[0-9a-z]+$/);
    assert.equal(bead.title, 'hello');

    const shown = await gt(['bead', 'show', bead.id, '--json'], { town: town.dir });
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).id, bead.id);

    const listed = await gt(['bead', 'list', '--json'], { town: town.dir });
    assert.ok(JSON.parse(listed.stdout).some((b: { id: string }) => b.id === bead.id));

    const log = execFileSync(findDolt()!.path, ['log', '-n', '5'], { cwd: `${townPaths(town.dir).doltData}/gastown`, encoding: 'utf8' });
    assert.match(log, new RegExp(bead.id));
    assert.match(log, /Author:\s+mayor/);
  });

  test('bad input gets a clear error: empty title, malformed id, unknown id', async () => {
    const empty = await gt(['bead', 'create', '--title', '  '], { town: town.dir });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /title must not be empty/);
    const malformed = await gt(['bead', 'show', "x'; DROP TABLE issues; --"], { town: town.dir });
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /malformed bead id/);
    const unknown = await gt(['bead', 'show', 'hq-zzzzzz'], { town: town.dir });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /hq-zzzzzz/);
  });

  test('SIGTERM stops everything it started: no dolt, PTY host, shell or grandchild left', async () => {
    const status = JSON.parse((await gt(['status', '--json'], { town: town.dir })).stdout);
    // Open a real shell through the API and give it a background grandchild.
    const secrets = readSecrets(townPaths(town.dir));
    const conn = await connectToTown(townPaths(town.dir).socket, secrets.apiToken, 'test', town.dir);
    const term = await conn.client.terminalOpen({ cols: 80, rows: 24 });
    await conn.client.terminalWrite({ id: term.id, data: 'sleep 300 &\n' });
    // Wait for the sleep itself; transient processes on the way (a subshell before exec) are not counted.
    const sleeper = await waitFor('the background sleep', () => descendants(term.pid).find((pid) => commandName(pid) === 'sleep'));
    const shells = descendants(term.pid).filter((pid) => pid !== sleeper && /sh$/.test(commandName(pid) ?? ''));
    conn.close();
    // A client that stays connected (an agent's call still waiting, a `gt attach` left open) must
    // not hold the stop: the town drops it after a short grace.
    const lingering = createConnection(townPaths(town.dir).socket);
    const welcomed = new Promise<string>((r) => lingering.once('data', (d) => r(String(d))));
    lingering.write(JSON.stringify({ t: 'hello', token: secrets.apiToken, actor: 'test' }) + '\n');
    assert.match(await welcomed, /welcome/);
    const dropped = new Promise<void>((r) => lingering.once('close', () => r()));

    const pids = [status.dolt.pid, status.ptyHost.pid, term.pid, ...shells, sleeper];
    for (const pid of pids) assert.ok(alive(pid), `pid ${pid} should be running before the stop`);
    const code = await Promise.race([running.stop(), new Promise<string>((r) => setTimeout(() => r('still running after 60 s'), 60_000).unref())]);
    assert.equal(code, 0, running.output());
    await dropped;
    for (const pid of pids) await waitFor(`pid ${pid} to be gone`, () => !alive(pid), 10_000);
  });
});
