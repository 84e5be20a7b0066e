// A real PTY host for one test: started in a temp folder (its transcripts inside), stopped and the
// folder removed after the test.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyHostClient } from '../../main/agents/pty-host-client.ts';

export async function startedPtyHost(t: { after(fn: () => Promise<void>): void }, prefix: string): Promise<{ dir: string; client: PtyHostClient }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const client = new PtyHostClient({ transcriptDir: path.join(dir, 'transcripts') });
  t.after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await client.start();
  return { dir, client };
}
