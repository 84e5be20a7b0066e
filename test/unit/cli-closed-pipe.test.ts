// `gt … | head -1`: a reader that closes the pipe before gt writes ends gt quietly (exit 0, nothing
// on stderr), as a Unix tool killed by SIGPIPE would, instead of an EPIPE stack trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { test } from 'node:test';

test('the Node CLI stops quietly when its stdout reader is gone', async () => {
  // GT_NATIVE=0: the Node CLI itself (the native client is a C program that SIGPIPE ends by default).
  const child = spawn(process.execPath, [resolve('bin/gt.mjs'), '--help'], { env: { ...process.env, GT_NATIVE: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  // Close our end before the CLI has started (Node takes ~100 ms): its first write hits a closed pipe.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const [code] = await once(child, 'exit');
  assert.equal(stderr, '', 'no EPIPE stack on stderr');
  assert.equal(code, 0);
});
