// Turns runtime definitions (built-in + the town's custom ones) into launchable runtimes, picks
// the runtime for an agent from the town/rig/role config, and builds its command line.

import { accessSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TownError } from '../../../preload/contract.ts';
import type { ScreenPatterns } from '../agent-status.ts';
import { BUILTIN_RUNTIMES } from './builtin-runtimes.ts';
import { codexNotifyArgs } from '../hooks/hook-settings.ts';
import { RuntimeDefinitionSchema, type RuntimeDefinition } from './runtime-definition.ts';
import { resolveScriptEntry, scriptLaunch } from './script-entry.ts';

/** Which runtime each agent uses: town default, per role, per rig, per rig+role; plus custom runtimes. */
export const RuntimeConfigSchema = z
  .object({
    default: z.string().optional(),
    roles: z.record(z.string(), z.string()).default({}),
    rigs: z.record(z.string(), z.object({ default: z.string().optional(), roles: z.record(z.string(), z.string()).default({}) }).strict()).default({}),
    custom: z.array(RuntimeDefinitionSchema).default([]),
  })
  .strict();
export type RuntimeConfig = z.output<typeof RuntimeConfigSchema>;
export type RuntimeConfigInput = z.input<typeof RuntimeConfigSchema>;

export interface Runtime {
  def: RuntimeDefinition;
  patterns: ScreenPatterns;
}

export interface LaunchOptions {
  model?: string;
  /** Key into the runtime's permissionArgs: 'ask' | 'accept-edits' | 'bypass' | custom. */
  permissions?: string;
  /** First instructions, for runtimes that take them as an argument. */
  prompt?: string;
  /** Resume this previous session instead of starting fresh (when the runtime can). */
  resumeId?: string;
}

export interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Text to type into the PTY once the runtime shows it is ready (firstInstructions 'type'). */
  typeWhenReady: string | null;
}

export function parseRuntimeConfig(raw: unknown): RuntimeConfig {
  const r = RuntimeConfigSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new TownError('invalid', `runtime config: ${issue.path.join('.')}: ${issue.message}`);
  }
  return r.data;
}

function compile(def: RuntimeDefinition): Runtime {
  const patterns: ScreenPatterns = {};
  for (const [k, list] of Object.entries(def.patterns) as Array<[keyof ScreenPatterns, string[] | undefined]>) {
    if (!list) continue;
    patterns[k] = list.map((src) => {
      try {
        return new RegExp(src, 'm');
      } catch (err) {
        throw new TownError('invalid', `runtime ${def.name}: pattern ${JSON.stringify(src)}: ${(err as Error).message}`);
      }
    });
  }
  return { def, patterns };
}

/** Every runtime available in this town: built-ins, then custom ones (a custom name overrides). */
export function listRuntimes(config: RuntimeConfig = parseRuntimeConfig({})): Runtime[] {
  const byName = new Map<string, RuntimeDefinition>();
  for (const d of BUILTIN_RUNTIMES) byName.set(d.name, RuntimeDefinitionSchema.parse(d));
  for (const d of config.custom) byName.set(d.name, d);
  return [...byName.values()].map(compile);
}

export function getRuntime(name: string, config?: RuntimeConfig): Runtime {
  const r = listRuntimes(config).find((x) => x.def.name === name);
  if (!r) throw new TownError('not_found', `unknown runtime ${JSON.stringify(name)}`);
  return r;
}

/** rig+role → rig default → town role → town default → claude. */
export function runtimeNameFor(config: RuntimeConfig, who: { rig?: string; role?: string }): string {
  const rig = who.rig ? config.rigs[who.rig] : undefined;
  return (
    (who.role && rig?.roles[who.role]) ||
    rig?.default ||
    (who.role && config.roles[who.role]) ||
    config.default ||
    'claude'
  );
}

/** The script runtime's launch as one line, for listings. */
function scriptCommandLine(): string {
  const l = scriptLaunch(resolveScriptEntry(), process.execPath, !!process.versions.electron, () => 'tsx');
  return [l.command, ...l.args].join(' ');
}

export function buildLaunch(rt: Runtime, opts: LaunchOptions = {}): Launch {
  const d = rt.def;
  if (d.kind === 'script') {
    // Our own Node script, run with the same Node as the Town (Electron's, as Node, in the app): its
    // prebuilt bundle when fresh, else its sources through tsx (script-entry.ts).
    return { ...scriptLaunch(resolveScriptEntry(), process.execPath, !!process.versions.electron), env: { ...d.env }, typeWhenReady: null };
  }
  const values: Record<string, string> = {
    model: opts.model ?? d.defaultModel ?? '',
    // A resumed session already has its instructions.
    prompt: d.firstInstructions === 'argument' && !(opts.resumeId && d.resumeArgs) ? (opts.prompt ?? '') : '',
    resumeId: opts.resumeId ?? '',
  };
  const expand = (tpl: string[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < tpl.length; i++) {
      const a = tpl[i];
      if (a === '{permissionArgs}') {
        out.push(...(d.permissionArgs[opts.permissions ?? 'ask'] ?? []));
        continue;
      }
      const names = [...a.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      if (names.length && names.every((n) => !values[n])) {
        // "--model {model}" with no model: drop the flag that introduced it as well.
        if (out.length && out[out.length - 1].startsWith('-') && tpl[i - 1] === out[out.length - 1]) out.pop();
        continue;
      }
      out.push(a.replace(/\{(\w+)\}/g, (_, n: string) => values[n] ?? ''));
    }
    return out;
  };
  const hookArgs = d.hooks === 'codex-notify' ? codexNotifyArgs() : [];
  const args = opts.resumeId && d.resumeArgs ? [...expand(d.resumeArgs), ...hookArgs, ...expand(d.args)] : [...hookArgs, ...expand(d.args)];
  const typeWhenReady = d.firstInstructions === 'type' && opts.prompt ? opts.prompt : null;
  return { command: d.command, args, env: { ...d.env }, typeWhenReady };
}

/** Whether the runtime's CLI is on PATH (or is an existing executable path). */
export function isInstalled(rt: Runtime, pathVar = process.env.PATH ?? ''): boolean {
  if (rt.def.kind === 'script') return true;
  const cmd = rt.def.command;
  const candidates = cmd.includes('/') ? [cmd] : pathVar.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, cmd));
  return candidates.some((c) => {
    try {
      accessSync(c, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What `gt runtime list --json` prints. */
export function runtimeListing(config?: RuntimeConfig, pathVar?: string) {
  return listRuntimes(config).map((rt) => ({
    name: rt.def.name,
    label: rt.def.label,
    kind: rt.def.kind,
    command: rt.def.kind === 'script' ? scriptCommandLine() : rt.def.command,
    installed: isInstalled(rt, pathVar),
    hooks: rt.def.hooks ?? null,
    npmPackage: rt.def.npmPackage ?? null,
  }));
}
