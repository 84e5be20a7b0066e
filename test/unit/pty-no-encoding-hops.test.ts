// Source-level guard: nothing on the PTY data path turns bytes into base64 or decodes them per
// chunk. (Decoding belongs to xterm in the renderer, which does it statefully.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'main', 'pty-host');

test('the PTY host data path carries bytes: no base64, no per-chunk decoding, no string encoding', () => {
  const files = readdirSync(HOST_DIR).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('session.ts'));
  for (const f of files) {
    const src = readFileSync(path.join(HOST_DIR, f), 'utf8').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(src, /base64/i, `${f} mentions base64`);
    assert.doesNotMatch(src, /\.toString\(\s*['"]utf-?8['"]/i, `${f} decodes bytes per chunk`);
    assert.doesNotMatch(src, /new TextDecoder\(/, `${f} decodes bytes`);
  }
  const session = readFileSync(path.join(HOST_DIR, 'session.ts'), 'utf8');
  assert.match(session, /encoding: null/, 'node-pty delivers raw Buffers');
});
