// Typed events: a listener with the wrong payload does not compile (checked by `npm run typecheck`,
// which fails if an @ts-expect-error below stops being an error), and lint refuses untyped emitters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DoltServer } from '../../main/ledger/dolt-server.ts';
import type { PtyHostClient } from '../../main/agents/pty-host-client.ts';
import type { BeadFeed } from '../../main/ledger/bead-feed.ts';
import type { AgentSessions } from '../../main/town/sessions/agent-sessions.ts';

export function compileTimeChecks(d: DoltServer, p: PtyHostClient, f: BeadFeed, s: AgentSessions): void {
  d.on('state', (state) => void state.toUpperCase());
  // @ts-expect-error a state is a string, not a number
  d.on('state', (state: number) => void state);
  // @ts-expect-error no such event
  d.on('crashed', () => undefined);
  // @ts-expect-error the escalation carries { message }, not a string
  p.on('escalation', (m: string) => void m);
  // @ts-expect-error the feed's event is a BeadFeedEvent
  f.on('event', (e: number) => void e);
  // @ts-expect-error the exit listener gets (record, exit)
  s.on('exit', (agent: string) => void agent);
}

test('lint refuses an untyped EventEmitter in main/', () => {
  const dir = mkdtempSync(join(process.cwd(), 'main', 'lib', '.lint-probe-'));
  const file = join(dir, 'probe.ts');
  writeFileSync(file, "import { EventEmitter } from 'node:events';\nexport class Untyped extends EventEmitter {}\n");
  try {
    let out = '';
    try {
      execFileSync(process.execPath, ['node_modules/eslint/bin/eslint.js', file], { encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout);
    }
    assert.match(out, /extend EventEmitter<Events> with a typed event map/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
