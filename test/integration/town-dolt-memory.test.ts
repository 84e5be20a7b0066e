// The town's config sets its Dolt server's memory limit (`dolt.memoryLimitMiB` in config.json):
// read back from the live server's own environment (Linux /proc). A value out of range stops the
// start with an error naming the setting, and the config file is left as it was.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { initTown } from '../../main/town/config.ts';
import { Town } from '../../main/town/town.ts';

const skip = doltAvailable() ?? (process.platform !== 'linux' ? 'reads the server environment from /proc (Linux only)' : false);

/** A fresh town folder whose config.json has `dolt` extended with `extra`; returns the folder and the config file. */
function townWith(t: TestContext, extra: Record<string, unknown>): { dir: string; configFile: string } {
  const base = mkdtempSync(join(tmpdir(), 'gt-dolt-memory-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'town');
  const { paths } = initTown(dir);
  const config = JSON.parse(readFileSync(paths.config, 'utf8')) as { dolt?: Record<string, unknown> };
  config.dolt = { ...(config.dolt ?? {}), ...extra };
  writeFileSync(paths.config, JSON.stringify(config, null, 2));
  return { dir, configFile: paths.config };
}

test("the config's memory limit reaches the town's Dolt server", { skip, timeout: 180_000 }, async (t) => {
  const saved = process.env.GOMEMLIMIT;
  process.env.GOMEMLIMIT = '200MiB'; // the config's value wins over an exported one
  t.after(() => { if (saved === undefined) delete process.env.GOMEMLIMIT; else process.env.GOMEMLIMIT = saved; });
  const { dir } = townWith(t, { memoryLimitMiB: 320 });
  const town = await Town.start({ dir });
  try {
    const environ = readFileSync(`/proc/${town.dolt.pid}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes('GOMEMLIMIT=320MiB'), `GOMEMLIMIT of the server: ${environ.find((e) => e.startsWith('GOMEMLIMIT='))}`);
    assert.ok((await town.ledger.count()) >= 0, 'the ledger answers');
  } finally {
    await town.stop();
  }
});

test('a memory limit out of range stops the start with its name; the config is kept', { skip, timeout: 60_000 }, async (t) => {
  const { dir, configFile } = townWith(t, { memoryLimitMiB: 10 });
  const before = readFileSync(configFile, 'utf8');
  await assert.rejects(Town.start({ dir }), (e: Error) => /dolt\.memoryLimitMiB/.test(e.message) && /64/.test(e.message));
  assert.equal(readFileSync(configFile, 'utf8'), before);
});
