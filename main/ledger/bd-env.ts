// What the real `bd` (beads v1.0.5, server mode) needs to work on a running town's ledger: a beads
// folder holding `metadata.json` ({"backend":"dolt","dolt_mode":"server",…}) and the environment
// that points bd at the town's Dolt server. Invariants:
// - The variables name the town's own SQL user (never root) and its database; the password only
//   travels in the environment (bd reads BEADS_DOLT_PASSWORD), never on a command line.
// - bd never starts a server of its own on the town's data (BEADS_DOLT_AUTO_START=0), and commits
//   after every command (BD_DOLT_AUTO_COMMIT=on) so labels and comments, which bd alone leaves in the
//   working set, reach the town's feed as commits authored by bd's actor.
// - The beads folder is written with mode 0700 (what bd asks for); writing it again is harmless.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DoltConnection } from './dolt-server.ts';

/** The town's beads folder: `<town>/.beads`. */
export const beadsDirOf = (townRoot: string): string => join(townRoot, '.beads');

/** The metadata.json bd reads in server mode (the database name also comes from the environment). */
export function beadsMetadata(database: string): Record<string, string> {
  return { database: 'dolt', backend: 'dolt', dolt_mode: 'server', dolt_database: database };
}

/** Writes `<beadsDir>/metadata.json` for the town's database. */
export function writeBeadsDir(beadsDir: string, database: string): void {
  mkdirSync(beadsDir, { recursive: true, mode: 0o700 });
  chmodSync(beadsDir, 0o700);
  writeFileSync(join(beadsDir, 'metadata.json'), JSON.stringify(beadsMetadata(database), null, 2) + '\n');
}

/** The environment for `bd` against the town; `actor` (optional) becomes bd's actor and commit author. */
export function bdEnvironment(conn: DoltConnection, beadsDir: string, actor?: string): Record<string, string> {
  const env: Record<string, string> = {
    BEADS_DIR: beadsDir,
    BEADS_DOLT_SERVER_MODE: '1',
    BEADS_DOLT_SERVER_HOST: conn.host,
    BEADS_DOLT_SERVER_PORT: String(conn.port),
    BEADS_DOLT_SERVER_USER: conn.user,
    BEADS_DOLT_PASSWORD: conn.password,
    BEADS_DOLT_SERVER_DATABASE: conn.database,
    BEADS_DOLT_AUTO_START: '0',
    BD_DOLT_AUTO_COMMIT: 'on',
  };
  if (actor) {
    env.BEADS_ACTOR = actor;
    env.BD_ACTOR = actor;
    env.GIT_AUTHOR_NAME = actor;
    env.GIT_AUTHOR_EMAIL = `${actor.replace(/[^A-Za-z0-9._-]+/g, '-')}@gastown.local`;
  }
  return env;
}
