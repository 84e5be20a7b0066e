// A town beyond one machine, assembled: its identity, serving its databases over Dolt's remotesapi,
// its ledger's remotes (ledger-remotes.ts) and its wanted board (wasteland.ts).
//
// Invariants:
//   - The remotesapi is only started when serving is enabled (`gt serve --remotes` or
//     settings/federation.json serve.enabled); remotes authenticate as the served SQL user, never
//     as the town's own user. Dolt's remotesapi has no host setting: it listens on every interface.
//   - The password presented to other towns' remotesapi is fixed for the life of the dolt server
//     (DOLT_REMOTE_PASSWORD in its environment): a change takes a restart of the town.
import type mysql from 'mysql2/promise';
import type { FederationInfo } from '../../../preload/requests/federation-types.ts';
import type { DoltConnection } from '../../ledger/dolt-server.ts';
import { freePort } from '../../ledger/free-port.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { openConnection } from './dolt-sync.ts';
import { ensureFederation, type FederationSecrets, type FederationSettings } from './federation-settings.ts';
import { LedgerRemotes } from './ledger-remotes.ts';
import { Wasteland } from './wasteland.ts';

export interface FederationBoot {
  settings: FederationSettings;
  secrets: FederationSecrets;
  /** Options for the town's DoltServer: the remotesapi port and the password for remotes. */
  dolt: { remotesApiPort?: number; remotePassword?: string };
}

/** Reads (and completes) the settings before the dolt server starts, and picks the remotesapi port. */
export async function prepareFederation(townRoot: string, townName: string): Promise<FederationBoot> {
  const { settings, secrets } = ensureFederation(townRoot, townName);
  const dolt: FederationBoot['dolt'] = {};
  if (settings.serve.enabled) dolt.remotesApiPort = settings.serve.port || await freePort();
  if (secrets.remotePassword) dolt.remotePassword = secrets.remotePassword;
  return { settings, secrets, dolt };
}

export interface FederationDeps {
  boot: FederationBoot;
  conn: DoltConnection;
  ledger: Ledger;
  escalate(message: string, details: Record<string, unknown>): Promise<string | null>;
  log(line: string): void;
}

const sqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

export class Federation {
  readonly remotes: LedgerRemotes;
  readonly wasteland: Wasteland;

  private constructor(private readonly d: FederationDeps) {
    const remoteUser = d.boot.settings.remoteUser;
    this.remotes = new LedgerRemotes({ conn: d.conn, ledger: d.ledger, remoteUser, escalate: d.escalate, log: d.log });
    this.wasteland = new Wasteland({ conn: d.conn, ledger: d.ledger, identity: this.identity, remoteUser, log: d.log });
  }

  static async start(d: FederationDeps): Promise<Federation> {
    const f = new Federation(d);
    if (d.boot.dolt.remotesApiPort) await f.ensureServedUser();
    return f;
  }

  get identity(): string {
    return this.d.boot.settings.identity!;
  }

  /** The SQL user remotes authenticate as: CLONE_ADMIN reads; SUPER (Dolt's rule for a push) writes. */
  private async ensureServedUser(): Promise<void> {
    const { user, writable } = this.d.boot.settings.serve;
    const password = this.d.boot.secrets.servePassword!;
    const c: mysql.Connection = await openConnection(this.d.conn, null);
    try {
      await c.query(`CREATE USER IF NOT EXISTS ${sqlString(user)}@'%' IDENTIFIED BY ${sqlString(password)}`);
      await c.query(`ALTER USER ${sqlString(user)}@'%' IDENTIFIED BY ${sqlString(password)}`);
      await c.query(`GRANT CLONE_ADMIN ON *.* TO ${sqlString(user)}@'%'`);
      if (writable) await c.query(`GRANT SUPER ON *.* TO ${sqlString(user)}@'%'`);
    } finally {
      await c.end().catch(() => c.destroy());
    }
  }

  async info(withSecrets: boolean): Promise<FederationInfo> {
    const s = this.d.boot.settings;
    const port = this.d.boot.dolt.remotesApiPort;
    return {
      identity: this.identity,
      serving: port ? {
        url: `http://127.0.0.1:${port}/`, port, user: s.serve.user, writable: s.serve.writable,
        ...(withSecrets ? { password: this.d.boot.secrets.servePassword } : {}),
      } : null,
      remoteUser: s.remoteUser ?? null,
      remotePasswordSet: Boolean(this.d.boot.secrets.remotePassword),
      remotes: await this.remotes.list(),
      commons: await this.wasteland.info(),
    };
  }
}
