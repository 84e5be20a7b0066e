// Types of bin/cli-bundle.mjs (plain JavaScript, loaded by bin/gt.mjs before any TypeScript loader).

/** What scripts/build-cli.ts writes to dist/cli/inputs.json. */
export interface CliBuildRecord {
  builtAt: number;
  /** Every source file of the build, relative to the app root. */
  inputs: string[];
  /** Per entry (`gt`, `script-main`), the sources it can load (static and lazy imports). */
  entries?: Record<string, string[]>;
}

export function appRootOf(binDir: string): string;
export function entryIsFresh(record: unknown, entry: string, mtimeOf: (source: string) => number | null): boolean;
export function freshCliEntry(root: string, entry: string, env?: NodeJS.ProcessEnv): string | null;
