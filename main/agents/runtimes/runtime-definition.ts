// A runtime adapter as data: everything the Town needs to start an agent CLI in a PTY and read
// its state. Built-in runtimes and custom ones from the town's config share this one shape, so a
// user adds a runtime without code (config is JSON, patterns are regex source strings).

import { z } from 'zod';
import { HOOK_ADAPTERS } from '../../../preload/requests/agent-hooks.ts';

const patternList = z.array(z.string().min(1).max(500)).max(50).optional();

export const RuntimeDefinitionSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes'),
    label: z.string().min(1).max(80),
    /** 'llm' drives a model; 'shell' is a human's terminal; 'script' is the deterministic runtime. */
    kind: z.enum(['llm', 'shell', 'script']).default('llm'),
    command: z.string().min(1).max(500),
    /** Argument templates: {model}, {prompt}, {permissionArgs}, {resumeId}; an argument whose
     *  placeholders are all empty is dropped. */
    args: z.array(z.string().max(2000)).max(100).default([]),
    /** Extra arguments for permission handling, chosen by the `permissions` launch option. */
    permissionArgs: z.record(z.string(), z.array(z.string().max(500))).default({}),
    /** Arguments that resume a previous session (with {resumeId}), when the CLI can. */
    resumeArgs: z.array(z.string().max(500)).optional(),
    defaultModel: z.string().max(200).optional(),
    /** How the first instructions reach the CLI: as an argument, typed into the PTY once it is
     *  ready, or fetched by the agent itself (`gt prime` / `gt hook` from a hook or the script). */
    firstInstructions: z.enum(['argument', 'type', 'self']).default('type'),
    /** After `gt done`, whether the agent itself takes the next bead `gt done` puts on its hook, in
     *  the same session (the script runtime reads its hook again). false (LLM CLIs): a polecat is
     *  set idle at `gt done` and each bead gets a fresh session (a clean context). */
    nextBeadInSession: z.boolean().default(false),
    env: z.record(z.string(), z.string().max(10_000)).default({}),
    /** npm package that provides the CLI (for "install" hints and the first-screen test). */
    npmPackage: z.string().max(200).optional(),
    /** How the CLI reports working / waiting / idle and its conversation id through its own hooks
     *  (which call back into `gt agent-hook`): the adapter in main/agents/hooks/. Absent: the
     *  screen is the only source. (A boolean, from configs written before adapters, means none.) */
    hooks: z.preprocess((v) => (typeof v === 'boolean' ? undefined : v), z.enum(HOOK_ADAPTERS).optional()),
    /** Where the CLI writes token usage, for cost (a path pattern; ~ is the user's home). */
    usage: z.string().max(500).optional(),
    patterns: z
      .object({ ready: patternList, waiting: patternList, idle: patternList, working: patternList, failed: patternList })
      .strict()
      .default({}),
  })
  .strict();

export type RuntimeDefinition = z.output<typeof RuntimeDefinitionSchema>;
export type RuntimeDefinitionInput = z.input<typeof RuntimeDefinitionSchema>;
