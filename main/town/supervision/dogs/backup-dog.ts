// The backup dog: every 15 minutes (settings dogs.backup) a folder in <town>/backups/ holding the
// ledger as beads JSONL (what `gt import` restores) and a Dolt backup of the database (with its
// history), plus a manifest; older folders rotated away per backup-rotation.ts.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Dog, DogOutcome } from './dog.ts';
import { planRotation, type BackupEntry } from './backup-rotation.ts';
import type { SupervisionContext } from '../supervision-context.ts';

export const backupsDir = (townRoot: string): string => join(townRoot, 'backups');

interface Manifest {
  at: number;
  beads: number;
  good: boolean;
  jsonl: string;
  dolt: string | null;
}

function readBackups(dir: string): BackupEntry[] {
  if (!existsSync(dir)) return [];
  const out: BackupEntry[] = [];
  for (const name of readdirSync(dir)) {
    try {
      const m = JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')) as Manifest;
      out.push({ name, at: m.at, beads: m.beads, good: m.good });
    } catch {
      // not a finished backup (no manifest): ignored, never counted as good
    }
  }
  return out;
}

export const backupDog: Dog = {
  name: 'backup',
  summary: 'beads JSONL + Dolt backup of the ledger into <town>/backups, rotated',
  async run(s: SupervisionContext): Promise<DogOutcome> {
    const root = backupsDir(s.paths.root);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const existing = readBackups(root);
    const now = Date.now();
    const name = new Date(now).toISOString().replace(/[:.]/g, '-');
    const dir = join(root, name);
    mkdirSync(dir, { mode: 0o700 });
    const jsonl = await s.ledger.exportJsonl();
    const beads = jsonl.split('\n').filter((l) => l.trim()).length;
    writeFileSync(join(dir, 'beads.jsonl'), jsonl, { mode: 0o600 });
    let dolt: string | null = join(dir, 'dolt');
    try {
      // A Dolt backup keeps the whole history (what `dolt backup restore` brings back).
      await s.ledger.pool.query("CALL DOLT_BACKUP('sync-url', ?)", [pathToFileURL(dolt).href]);
    } catch (e) {
      s.log(`dog backup: dolt backup failed (the JSONL is written): ${(e as Error).message}`);
      dolt = null;
    }
    const plan = planRotation(existing, beads, s.settings.backupKeep);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ at: now, beads, good: plan.good, jsonl: 'beads.jsonl', dolt: dolt ? 'dolt' : null } satisfies Manifest, null, 2) + '\n', { mode: 0o600 });
    if (plan.halted) {
      await s.escalations.raise({ severity: 'high', message: `Backup rotation halted: ${plan.reason}. Nothing was deleted; check the ledger (gt bead list) before removing backups by hand.`, from: 'town/dog-backup', source: 'dog', details: { backup: dir } })
        .catch(() => undefined);
      return { ok: false, message: plan.reason!, details: { dir, beads, removed: [], halted: true } };
    }
    for (const old of plan.remove) rmSync(join(root, old), { recursive: true, force: true });
    return { ok: true, message: `${beads} beads to ${dir}${dolt ? ' (+ dolt backup)' : ''}; ${plan.remove.length} old removed`, details: { dir, beads, jsonl: join(dir, 'beads.jsonl'), dolt, removed: plan.remove, halted: false } };
  },
};
