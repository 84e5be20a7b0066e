import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildAgentEnv, GT_BIN_DIR, scrubEnv, unpackedPath } from '../../main/agents/agent-env.ts';

test('agent env: identity, town socket, gt first on PATH; secrets and ELECTRON_RUN_AS_NODE never leak', () => {
  const env = buildAgentEnv({
    socket: '/town/.gt.sock',
    town: '/town',
    agent: 'rig1/polecats/nux',
    rig: 'rig1',
    bead: 'rig1-abc',
    base: {
      PATH: `/usr/bin${path.delimiter}${GT_BIN_DIR}${path.delimiter}/bin`,
      HOME: '/home/u',
      ELECTRON_RUN_AS_NODE: '1',
      GT_SECRET_KEY: 's',
      GT_TOKEN: 't',
      GT_DOLT_PASSWORD: 'p',
      GT_AGENT: 'someone-else',
      NODE_OPTIONS: '--import tsx',
    },
    extra: { MY_FLAG: 'on', GT_TOKEN_X: 'no' },
  });
  assert.equal(env.GT_SOCKET, '/town/.gt.sock');
  assert.equal(env.GT_AGENT, 'rig1/polecats/nux');
  assert.equal(env.GT_RIG, 'rig1');
  assert.equal(env.GT_BEAD, 'rig1-abc');
  assert.equal(env.GT_TOWN, '/town');
  assert.equal(env.HOME, '/home/u');
  assert.equal(env.MY_FLAG, 'on');
  assert.deepEqual(env.PATH.split(path.delimiter), [GT_BIN_DIR, '/usr/bin', '/bin'], 'bin/ first, once');
  for (const k of ['ELECTRON_RUN_AS_NODE', 'GT_SECRET_KEY', 'GT_TOKEN', 'GT_DOLT_PASSWORD', 'NODE_OPTIONS', 'GT_TOKEN_X']) assert.equal(env[k], undefined, k);
  assert.ok(GT_BIN_DIR.endsWith(`${path.sep}bin`));
});

test('scrubEnv drops blocked names whatever their case, and undefined values', () => {
  assert.deepEqual(scrubEnv({ electron_run_as_node: '1', A: 'a', B: undefined, gt_secret: 'x' }), { A: 'a' });
});

test("in the packaged app, gt's folder is the asar's unpacked copy (a script inside an asar cannot be executed)", () => {
  assert.equal(unpackedPath('/opt/Gas Town Desktop/resources/app.asar/bin'), '/opt/Gas Town Desktop/resources/app.asar.unpacked/bin');
  assert.equal(unpackedPath('C:\\Program Files\\Gas Town\\resources\\app.asar\\bin'), 'C:\\Program Files\\Gas Town\\resources\\app.asar.unpacked\\bin');
  assert.equal(unpackedPath('/r/app.asar.unpacked/bin'), '/r/app.asar.unpacked/bin', 'already unpacked');
  assert.equal(unpackedPath('/home/me/gastown-desktop/bin'), '/home/me/gastown-desktop/bin', 'a checkout is left alone');
  assert.equal(unpackedPath('/home/me/app.asarx/bin'), '/home/me/app.asarx/bin', 'only the asar itself');
  assert.equal(GT_BIN_DIR, unpackedPath(GT_BIN_DIR));
});
