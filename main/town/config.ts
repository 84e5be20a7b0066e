// The town's settings and secrets on disk: created by `gt init`, read by every other command.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { TownError } from '../../preload/contract.ts';
import { townPaths, type TownPaths } from './paths.ts';

export const TownConfigSchema = z.object({
  version: z.literal(1),
  name: z.string().min(1).max(100),
  /** Bead id prefix of the town itself. */
  prefix: z.string().regex(/^[a-z][a-z0-9_]{0,15}$/),
  dolt: z.object({
    port: z.number().int().min(0).max(65535).default(0),
    database: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('gastown'),
    /** Dolt's soft memory limit in MiB (GOMEMLIMIT; Dolt sizes its caches at half of it). Absent: a
     *  GOMEMLIMIT the user exported, else the town's default (main/ledger/dolt-settings.ts). */
    memoryLimitMiB: z.number().int().min(64).max(65536).optional(),
  }).default({ port: 0, database: 'gastown' }),
  web: z.object({ port: z.number().int().min(0).max(65535).default(0) }).default({ port: 0 }),
});
export type TownConfig = z.infer<typeof TownConfigSchema>;

export const TownSecretsSchema = z.object({
  doltUser: z.string().min(1),
  doltPassword: z.string().min(16),
  apiToken: z.string().min(32),
});
export type TownSecrets = z.infer<typeof TownSecretsSchema>;

const secret = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** Creates the town folder; running it again keeps what exists (settings, secrets, data). */
export function initTown(dir: string): { paths: TownPaths; created: boolean } {
  const paths = townPaths(dir);
  const created = !existsSync(paths.config);
  for (const d of [paths.root, paths.doltData, paths.runtime, paths.logs, paths.transcripts]) mkdirSync(d, { recursive: true });
  chmodSync(paths.runtime, 0o700);
  if (!existsSync(paths.config)) {
    const config: TownConfig = TownConfigSchema.parse({ version: 1, name: 'town', prefix: 'hq' });
    writeFileSync(paths.config, JSON.stringify(config, null, 2) + '\n');
  }
  if (!existsSync(paths.secrets)) {
    const secrets: TownSecrets = { doltUser: 'gastown', doltPassword: secret(24), apiToken: secret(32) };
    writeFileSync(paths.secrets, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  }
  // Secrets stay private even if the file was created or copied with looser permissions.
  chmodSync(paths.secrets, 0o600);
  return { paths, created };
}

function readJson<T>(file: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new TownError('not_found', `no town at ${file.replace(/\/[^/]+$/, '')}: run \`gt init\` first`);
    throw new TownError('invalid', `${what} ${file} is not valid JSON: ${e.message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TownError('invalid', `${what} ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export function readConfig(paths: TownPaths): TownConfig {
  return readJson(paths.config, TownConfigSchema, 'town config');
}

export function readSecrets(paths: TownPaths): TownSecrets {
  return readJson(paths.secrets, TownSecretsSchema, 'town secrets');
}
