// The town's dolt sql-server environment: a small server's memory budget by default, a user's own
// Go/Dolt settings winning over the defaults, explicit options winning over both, and the town's
// own variables (root path, no event flush) never overridable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOLT_MEMORY_DEFAULTS, DOLT_STATS_INTERVAL_KEY, defaultMemoryLimitMiB, MAX_DEFAULT_MEMORY_LIMIT_MIB, DOLT_STATS_JOB_INTERVAL_MS, DOLT_STATS_KEY, doltGlobalConfig, doltServerEnv, doltStatsEnabled, doltUnixSocketEnabled } from '../../main/ledger/dolt-settings.ts';

test('defaults: a memory limit in MiB, GOGC and a bounded commit cache, beside the parent environment', () => {
  const env = doltServerEnv({ PATH: '/bin', HOME: '/home/x' }, { rootPath: '/town/.gt/dolt-root' });
  assert.equal(env.GOMEMLIMIT, `${DOLT_MEMORY_DEFAULTS.memoryLimitMiB}MiB`);
  assert.equal(env.GOGC, String(DOLT_MEMORY_DEFAULTS.gogc));
  assert.equal(env.DOLT_COMMIT_CACHE_SIZE, String(DOLT_MEMORY_DEFAULTS.commitCacheSize));
  assert.equal(env.PATH, '/bin');
  assert.equal(env.HOME, '/home/x');
  assert.equal(env.DOLT_ROOT_PATH, '/town/.gt/dolt-root');
  assert.equal(env.DOLT_DISABLE_EVENT_FLUSH, '1');
  assert.equal(env.DOLT_REMOTE_PASSWORD, undefined);
});

test("a user's exported settings win over the defaults; explicit options win over both", () => {
  const parent = { GOMEMLIMIT: '1GiB', GOGC: 'off', DOLT_COMMIT_CACHE_SIZE: '99' };
  const fromUser = doltServerEnv(parent, { rootPath: '/r' });
  assert.equal(fromUser.GOMEMLIMIT, '1GiB');
  assert.equal(fromUser.GOGC, 'off');
  assert.equal(fromUser.DOLT_COMMIT_CACHE_SIZE, '99');
  const explicit = doltServerEnv(parent, { rootPath: '/r', memory: { memoryLimitMiB: 64, gogc: 25, commitCacheSize: 10 } });
  assert.equal(explicit.GOMEMLIMIT, '64MiB');
  assert.equal(explicit.GOGC, '25');
  assert.equal(explicit.DOLT_COMMIT_CACHE_SIZE, '10');
  // An empty variable counts as unset.
  assert.equal(doltServerEnv({ GOMEMLIMIT: '' }, { rootPath: '/r' }).GOMEMLIMIT, `${DOLT_MEMORY_DEFAULTS.memoryLimitMiB}MiB`);
});

test("the town's own variables are not overridable; the remote password is passed when given", () => {
  const env = doltServerEnv({ DOLT_ROOT_PATH: '/elsewhere', DOLT_DISABLE_EVENT_FLUSH: '0' }, { rootPath: '/r', remotePassword: 'sekrit' });
  assert.equal(env.DOLT_ROOT_PATH, '/r');
  assert.equal(env.DOLT_DISABLE_EVENT_FLUSH, '1');
  assert.equal(env.DOLT_REMOTE_PASSWORD, 'sekrit');
});

test('a setting that is not a positive integer is refused with its name', () => {
  assert.throws(() => doltServerEnv({}, { rootPath: '/r', memory: { memoryLimitMiB: 0 } }), /memoryLimitMiB must be a positive integer \(got 0\)/);
  assert.throws(() => doltServerEnv({}, { rootPath: '/r', memory: { gogc: 1.5 } }), /gogc must be a positive integer/);
  assert.throws(() => doltServerEnv({}, { rootPath: '/r', memory: { commitCacheSize: Number.NaN } }), /commitCacheSize/);
});

test("Dolt's statistics: off by default, GT_DOLT_STATS turns them on or off, an explicit option wins", () => {
  assert.equal(doltStatsEnabled({}), false);
  assert.equal(doltStatsEnabled({ GT_DOLT_STATS: '' }), false);
  for (const on of ['on', 'ON', ' 1 ', 'true', 'yes']) assert.equal(doltStatsEnabled({ GT_DOLT_STATS: on }), true, on);
  for (const off of ['off', '0', 'false', 'No']) assert.equal(doltStatsEnabled({ GT_DOLT_STATS: off }), false, off);
  assert.equal(doltStatsEnabled({ GT_DOLT_STATS: 'on' }, false), false);
  assert.equal(doltStatsEnabled({ GT_DOLT_STATS: 'off' }, true), true);
  assert.throws(() => doltStatsEnabled({ GT_DOLT_STATS: 'sometimes' }), /GT_DOLT_STATS must be on or off \(got "sometimes"\)/);
});

test("Dolt's Unix socket: on by default, GT_DOLT_UNIX_SOCKET turns it off, an explicit option wins", () => {
  assert.equal(doltUnixSocketEnabled({}), true);
  assert.equal(doltUnixSocketEnabled({ GT_DOLT_UNIX_SOCKET: ' ' }), true);
  assert.equal(doltUnixSocketEnabled({ GT_DOLT_UNIX_SOCKET: 'off' }), false);
  assert.equal(doltUnixSocketEnabled({ GT_DOLT_UNIX_SOCKET: 'off' }, true), true);
  assert.equal(doltUnixSocketEnabled({}, false), false);
  assert.throws(() => doltUnixSocketEnabled({ GT_DOLT_UNIX_SOCKET: 'tcp' }), /GT_DOLT_UNIX_SOCKET must be on or off \(got "tcp"\)/);
});

test("the town's dolt global config: identity and opt-outs added when absent, a user's keys kept, statistics always the town's", () => {
  const fresh = doltGlobalConfig(null, false);
  assert.equal(fresh['user.name'], 'Gas Town');
  assert.equal(fresh['metrics.disabled'], 'true');
  assert.equal(fresh[DOLT_STATS_KEY], '0');
  assert.equal(fresh[DOLT_STATS_INTERVAL_KEY], String(DOLT_STATS_JOB_INTERVAL_MS), 'when on: one statistics job every few seconds, not every 30 ms');
  const mine = doltGlobalConfig({ 'user.name': 'Ada', 'sqlserver.global.max_connections': '50', [DOLT_STATS_KEY]: '0' }, true);
  assert.equal(mine['user.name'], 'Ada');
  assert.equal(mine['sqlserver.global.max_connections'], '50');
  assert.equal(mine[DOLT_STATS_KEY], '1');
  assert.equal(doltGlobalConfig(mine, false)[DOLT_STATS_KEY], '0');
  assert.equal(doltGlobalConfig({ [DOLT_STATS_INTERVAL_KEY]: '30' }, true)[DOLT_STATS_INTERVAL_KEY], String(DOLT_STATS_JOB_INTERVAL_MS), 'the pace is the town\'s');
});

test('the default memory limit grows with the machine: 1/32 of its memory, between 256 and 384 MiB', () => {
  const GiB = 1024 ** 3;
  assert.equal(defaultMemoryLimitMiB(undefined), DOLT_MEMORY_DEFAULTS.memoryLimitMiB);
  assert.equal(defaultMemoryLimitMiB(4 * GiB), 256);
  assert.equal(defaultMemoryLimitMiB(8 * GiB), 256);
  assert.equal(defaultMemoryLimitMiB(10 * GiB), 320);
  assert.equal(defaultMemoryLimitMiB(12 * GiB), 384);
  assert.equal(defaultMemoryLimitMiB(16 * GiB), 384);
  assert.equal(defaultMemoryLimitMiB(64 * GiB), MAX_DEFAULT_MEMORY_LIMIT_MIB);
  assert.equal(MAX_DEFAULT_MEMORY_LIMIT_MIB, 384);
  assert.equal(doltServerEnv({}, { rootPath: '/r', machineMemoryBytes: 16 * GiB }).GOMEMLIMIT, '384MiB');
  // An exported GOMEMLIMIT and an explicit option still win over the machine's default.
  assert.equal(doltServerEnv({ GOMEMLIMIT: '300MiB' }, { rootPath: '/r', machineMemoryBytes: 16 * GiB }).GOMEMLIMIT, '300MiB');
  assert.equal(doltServerEnv({}, { rootPath: '/r', machineMemoryBytes: 16 * GiB, memory: { memoryLimitMiB: 200 } }).GOMEMLIMIT, '200MiB');
});
