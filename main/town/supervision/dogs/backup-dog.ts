// The backup dog: every 15 minutes (settings dogs.backup) a folder in <town>/backups/<time>/ holding
// the ledger as beads JSONL (what `gt import` restores) and a manifest; older folders rotated away
// per backup-rotation.ts. The ledger's history goes to one Dolt backup, <town>/backups/history/.
//
// Invariants:
//   - The history backup is synced incrementally (`DOLT_BACKUP('sync-url')` writes only the chunks
//     it lacks): a run costs what changed since the last one, not the whole history again
//     (bench/backup-history.ts).
//   - A folder's manifest names the commit the history held when the folder was written
//     (`doltCommit`): restoring the history and checking that commit out brings back that moment.
//   - A run whose bead count dropped by more than half (the rotation halts, backup-rotation.ts)
//     never touches the shared history: its Dolt backup goes to a folder of its own, so the history
//     stays as the last good run left it.
//   - A folder without a manifest is not a finished backup and is never counted (nor rotated).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Dog, DogOutcome } from './dog.ts';
import { planRotation, type BackupEntry } from './backup-rotation.ts';
import type { SupervisionContext } from '../supervision-context.ts';

export const backupsDir = (townRoot: string): string => join(townRoot, 'backups');
/** The one Dolt backup every good run syncs into (a Dolt backup folder, no manifest). */
export const historyBackupDir = (townRoot: string): string => join(backupsDir(townRoot), 'history');

export interface BackupManifest {
  at: number;
  beads: number;
  good: boolean;
  jsonl: string;
  /** The Dolt backup this folder's moment is in, relative to the folder ('../history', or 'dolt'
   *  for a folder with a backup of its own); null when Dolt's backup failed. */
  dolt: string | null;
  /** The ledger's HEAD when the backup was taken; absent in manifests written before it was kept. */
  doltCommit?: string | null;
}

function readBackups(dir: string): BackupEntry[] {
  if (!existsSync(dir)) return [];
  const out: BackupEntry[] = [];
  for (const name of readdirSync(dir)) {
    try {
      const m = JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')) as BackupManifest;
      out.push({ name, at: m.at, beads: m.beads, good: m.good });
    } catch {
      // not a finished backup (no manifest), or the history: ignored, never counted as good
    }
  }
  return out;
}

/** Syncs the ledger's Dolt database, with its history, into `target`; the error's message, or null. */
async function syncDolt(s: SupervisionContext, target: string): Promise<string | null> {
  try {
    await s.ledger.pool.query("CALL DOLT_BACKUP('sync-url', ?)", [pathToFileURL(target).href]);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

async function headCommit(s: SupervisionContext): Promise<string | null> {
  try {
    const [rows] = await s.ledger.pool.query("SELECT HASHOF('HEAD') AS h");
    return (rows as { h: string }[])[0]?.h ?? null;
  } catch {
    return null;
  }
}

export const backupDog: Dog = {
  name: 'backup',
  summary: 'beads JSONL into <town>/backups/<time>, the Dolt history synced into <town>/backups/history, rotated',
  async run(s: SupervisionContext): Promise<DogOutcome> {
    const root = backupsDir(s.paths.root);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const existing = readBackups(root);
    const now = Date.now();
    const dir = join(root, new Date(now).toISOString().replace(/[:.]/g, '-'));
    mkdirSync(dir, { mode: 0o700 });
    const jsonl = await s.ledger.exportJsonl();
    const beads = jsonl.split('\n').filter((l) => l.trim()).length;
    writeFileSync(join(dir, 'beads.jsonl'), jsonl, { mode: 0o600 });
    const plan = planRotation(existing, beads, s.settings.backupKeep);
    const doltCommit = await headCommit(s);
    // A suspicious drop keeps the shared history as the last good run left it.
    let dolt: string | null = plan.halted ? join(dir, 'dolt') : historyBackupDir(s.paths.root);
    const failed = await syncDolt(s, dolt);
    if (failed) {
      s.log(`dog backup: dolt backup failed (the JSONL is written): ${failed}`);
      dolt = null;
    }
    const manifest: BackupManifest = { at: now, beads, good: plan.good, jsonl: 'beads.jsonl', dolt: dolt ? relative(dir, dolt) : null, doltCommit };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    if (plan.halted) {
      await s.escalations.raise({ severity: 'high', message: `Backup rotation halted: ${plan.reason}. Nothing was deleted; check the ledger (gt bead list) before removing backups by hand.`, from: 'town/dog-backup', source: 'dog', details: { backup: dir } })
        .catch(() => undefined);
      return { ok: false, message: plan.reason!, details: { dir, beads, dolt, doltCommit, removed: [], halted: true } };
    }
    for (const old of plan.remove) rmSync(join(root, old), { recursive: true, force: true });
    return { ok: true, message: `${beads} beads to ${dir}${dolt ? ' (+ dolt history)' : ''}; ${plan.remove.length} old removed`, details: { dir, beads, jsonl: join(dir, 'beads.jsonl'), dolt, doltCommit, removed: plan.remove, halted: false } };
  },
};
