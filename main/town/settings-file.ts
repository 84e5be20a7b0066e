// Reads an optional settings file of the town (<town>/settings/*.json): absent means all defaults,
// and a bad file is a clear error naming the file and the field.
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { TownError } from '../../preload/contract.ts';

export function readSettingsFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let raw: unknown = {};
  if (existsSync(file)) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new TownError('invalid', `${file} is not valid JSON: ${(e as Error).message}`);
    }
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new TownError('invalid', `${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return r.data;
}
