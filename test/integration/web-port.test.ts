// `gt serve` with web.port 0 (the default): a restarted town comes back on the port it had, so a
// page left open reconnects by itself; when that port is taken meanwhile, it takes another and says so
// in its URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gt, startTown, tempTownDir } from '../helpers/gt.ts';

const portOf = (url: string | undefined): number => Number(new URL(url!).port);

test('a restarted gt serve reuses its port; a taken port falls back to a free one', async () => {
  const town = tempTownDir();
  try {
    const init = await gt(['init'], { town: town.dir });
    assert.equal(init.code, 0, init.stderr);
    assert.equal((JSON.parse(readFileSync(join(town.dir, 'town.json'), 'utf8')) as { web: { port: number } }).web.port, 0, 'the default config picks a free port');

    const first = await startTown(town.dir, 'serve');
    const port = portOf(first.webUrl);
    await first.stop();
    const remembered = join(town.dir, '.runtime', 'web-port.json');
    assert.deepEqual(JSON.parse(readFileSync(remembered, 'utf8')), { port });
    assert.equal(statSync(remembered).mode & 0o777, 0o600);

    const second = await startTown(town.dir, 'serve');
    assert.equal(portOf(second.webUrl), port, 'the same port after a restart');
    const page = await fetch(new URL('/', second.webUrl!));
    assert.equal(page.status, 200);
    await second.stop();

    // Someone else takes the port while the town is down.
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    try {
      const third = await startTown(town.dir, 'serve');
      const other = portOf(third.webUrl);
      assert.notEqual(other, port);
      assert.equal((await fetch(new URL('/', third.webUrl!))).status, 200, 'serving on the new port');
      await third.stop();
      assert.deepEqual(JSON.parse(readFileSync(remembered, 'utf8')), { port: other }, 'the new port is remembered');
    } finally {
      squatter.close();
    }
  } finally {
    town.cleanup();
  }
});
