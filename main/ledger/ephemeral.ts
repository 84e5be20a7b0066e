// Ephemeral key/value rows (`gt_ephemeral`, dolt_ignore'd): state that must never make a commit, such
// as a dog's last run. Invariants: no write here touches a committed table; scope and key are checked.
import { TownError } from '../../preload/errors.ts';
import type { Query } from './bead-queries.ts';
import { isoTime, sqlTime } from './bead-rows.ts';

function checkEphemeralKey(scope: string, key: string): void {
  if (typeof scope !== 'string' || !/^[a-z][a-z0-9_-]{0,63}$/.test(scope)) throw new TownError('invalid', 'ephemeral scope must be 1-64 lowercase letters, digits, _ or -');
  if (typeof key !== 'string' || key.length < 1 || key.length > 255) throw new TownError('invalid', 'ephemeral key must be 1-255 characters');
}

export async function setEphemeral(q: Query, scope: string, key: string, value: unknown): Promise<void> {
  checkEphemeralKey(scope, key);
  await q('REPLACE INTO gt_ephemeral (scope, `key`, value, updated_at) VALUES (?, ?, ?, ?)', [scope, key, JSON.stringify(value ?? null), sqlTime(new Date().toISOString())]);
}

export async function getEphemeral(q: Query, scope: string, key: string): Promise<{ value: unknown; updatedAt: string } | null> {
  checkEphemeralKey(scope, key);
  const rows = await q<{ value: unknown; updated_at: string }>('SELECT value, updated_at FROM gt_ephemeral WHERE scope = ? AND `key` = ?', [scope, key]);
  if (!rows.length) return null;
  return { value: typeof rows[0].value === 'string' ? JSON.parse(rows[0].value) : rows[0].value, updatedAt: isoTime(rows[0].updated_at) };
}

export async function deleteEphemeral(q: Query, scope: string, key: string): Promise<void> {
  checkEphemeralKey(scope, key);
  await q('DELETE FROM gt_ephemeral WHERE scope = ? AND `key` = ?', [scope, key]);
}
