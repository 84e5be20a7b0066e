// 30 concurrent sessions through one PTY host: all spawn, produce their own output, and exit cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyHostClient } from '../../main/agents/pty-host-client.ts';
import { isAlive } from '../../main/pty-host/process-tree.ts';
import type { TerminalExit } from '../../preload/types.ts';

const N = 30;
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), LANG: 'C.UTF-8' };

test(`${N} concurrent sessions spawn, run and exit cleanly`, { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-pty-many-'));
  const client = new PtyHostClient({ transcriptDir: dir });
  t.after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await client.start();
  const text = new Map<string, string>();
  client.on('data', (_c: string, id: string, d: Uint8Array) => {
    text.set(id, (text.get(id) ?? '') + Buffer.from(d).toString('utf8'));
    client.ack('all', id, d.length);
  });
  const ended = new Map<string, TerminalExit>();
  const allExited = new Promise<void>((resolve) =>
    client.on('exit', (e: TerminalExit) => {
      ended.set(e.id, e);
      if (ended.size === N) resolve();
    }),
  );

  // Each session waits for its "go" line, so all 30 are alive at the same time before any exits.
  const script = 'read go; i=0; while [ $i -lt 200 ]; do echo "$GT_AGENT line $i"; i=$((i+1)); done; echo "$GT_AGENT done"';
  const infos = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      client.spawn({ id: `s${i}`, command: 'sh', args: ['-c', script], cwd: dir, env: { ...ENV, GT_AGENT: `agent-${i}` }, cols: 100, rows: 30 }),
    ),
  );
  await Promise.all(infos.map((s) => client.attach('all', s.id)));
  const live = await client.list();
  assert.equal(live.length, N, 'all sessions alive at once');
  assert.equal(new Set(live.map((s) => s.pid)).size, N);
  for (const s of infos) client.write(s.id, 'go\r');
  await allExited;

  for (let i = 0; i < N; i++) {
    const e = ended.get(`s${i}`)!;
    assert.equal(e.exitCode, 0, `s${i} exit code`);
    assert.equal(e.reason, 'exited');
    const out = text.get(`s${i}`) ?? '';
    assert.ok(out.includes(`agent-${i} line 199`) && out.includes(`agent-${i} done`), `s${i} output complete`);
    assert.ok(!out.includes(`agent-${(i + 1) % N} line`), `s${i} output is its own`);
  }
  assert.deepEqual(await client.list(), []);
  for (const s of infos) assert.ok(!isAlive(s.pid));
});
