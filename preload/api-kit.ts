// Building blocks of the contract: how a request is declared, and the schemas several requests share.
import { z } from 'zod';
import type { CallerRule } from './callers.ts';

export { allow } from './callers.ts';

/** Ids are `<prefix>-<base36>` with optional `.n` child suffixes, e.g. `hq-a1b2`, `gt-x9k.2`. */
export const BeadIdSchema = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_]{0,15}-[0-9a-z]{3,16}(\.\d{1,6})*$/, 'malformed bead id (expected <prefix>-<base36>, e.g. hq-a1b2)');

export const PrefixSchema = z.string().regex(/^[a-z][a-z0-9_]{0,15}$/, 'malformed prefix (lowercase letters and digits)');

export const Title = z.string().trim().min(1, 'title must not be empty').max(500, 'title longer than 500 characters');
export const Label = z.string().trim().min(1, 'label must not be empty').max(255, 'label longer than 255 characters');
/** Metadata: a JSON object, given as an object or as its JSON text (as the CLI passes it). */
export const MetadataSchema = z.preprocess((v, ctx) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'metadata is not valid JSON' });
    return z.NEVER;
  }
}, z.record(z.string(), z.unknown()).refine((m) => JSON.stringify(m).length <= 1_000_000, 'metadata larger than 1 MB'));

/** A result type carried by the contract. Never called: it exists so the result type travels with the request. */
export function returns<T>(): (value: T) => T {
  return (value) => value;
}

/**
 * Declares a request: its arguments' schema, its result type, and who may make it (preload/callers.ts).
 * The rule is required: a request without one does not compile. A `self` rule names an argument
 * of the request.
 */
export function request<A extends z.ZodType, R>(args: A, result: (value: R) => R, who: CallerRule<Extract<keyof z.input<A>, string>>) {
  return { args, result, who };
}
