// A town's federation settings and secrets:
//   <town>/settings/federation.json          identity, serving over remotesapi, the user it presents to remotes
//   <town>/settings/federation-secrets.json  (0600) the password it presents to remotes, the password of its served user
// Both are optional; the identity and the served password are generated on first use and kept.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { readSettingsFile } from '../settings-file.ts';

export const TOWN_HANDLE = /^[a-z][a-z0-9-]{1,39}$/;

export const FederationSettingsSchema = z.object({
  /** This town's identity in every commons it joins (posted_by, claimed_by). Generated once. */
  identity: z.string().regex(TOWN_HANDLE, 'identity: lowercase letters, digits and -, 2-40 characters').optional(),
  /** Serve this town's Dolt databases over Dolt's remotesapi (`gt serve --remotes`). */
  serve: z.object({
    enabled: z.boolean().default(false),
    /** 0: a free port picked at start (published in `gt federation show`). */
    port: z.number().int().min(0).max(65535).default(0),
    /** The SQL user remotes authenticate as. */
    user: z.string().regex(/^[A-Za-z0-9_]{1,32}$/).default('gtremote'),
    /** false: clone/fetch/pull only (CLONE_ADMIN); true: pushes too (Dolt requires SUPER for a push). */
    writable: z.boolean().default(true),
  }).strict().default({ enabled: false, port: 0, user: 'gtremote', writable: true }),
  /** The user this town presents to remotesapi remotes (`--user`); their password is remotePassword. */
  remoteUser: z.string().regex(/^[A-Za-z0-9_]{1,32}$/).optional(),
}).strict();
export type FederationSettings = z.output<typeof FederationSettingsSchema>;

export const FederationSecretsSchema = z.object({
  /** Given to this town's dolt server as DOLT_REMOTE_PASSWORD (one per server process: a restart applies a change). */
  remotePassword: z.string().min(1).optional(),
  /** The password of the served user (generated). */
  servePassword: z.string().min(16).optional(),
}).strict();
export type FederationSecrets = z.output<typeof FederationSecretsSchema>;

export const federationSettingsFile = (townRoot: string): string => join(townRoot, 'settings', 'federation.json');
export const federationSecretsFile = (townRoot: string): string => join(townRoot, 'settings', 'federation-secrets.json');

export function readFederationSettings(townRoot: string): FederationSettings {
  return readSettingsFile(federationSettingsFile(townRoot), FederationSettingsSchema);
}

export function readFederationSecrets(townRoot: string): FederationSecrets {
  return readSettingsFile(federationSecretsFile(townRoot), FederationSecretsSchema);
}

export function writeFederationSettings(townRoot: string, s: FederationSettings): void {
  const file = federationSettingsFile(townRoot);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(s, null, 2) + '\n');
}

export function writeFederationSecrets(townRoot: string, s: FederationSecrets): void {
  const file = federationSecretsFile(townRoot);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Settings and secrets with the identity and the served password filled in (and saved). */
export function ensureFederation(townRoot: string, townName: string): { settings: FederationSettings; secrets: FederationSecrets } {
  const settings = readFederationSettings(townRoot);
  const secrets = readFederationSecrets(townRoot);
  if (!settings.identity) {
    const base = townName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 30) || 'town';
    settings.identity = `${base}-${randomBytes(3).toString('hex')}`;
    writeFederationSettings(townRoot, settings);
  }
  if (!secrets.servePassword) {
    secrets.servePassword = randomBytes(18).toString('base64url');
    writeFederationSecrets(townRoot, secrets);
  }
  if (existsSync(federationSecretsFile(townRoot))) chmodSync(federationSecretsFile(townRoot), 0o600);
  return { settings, secrets };
}
