// `gt`: the town's command line, for humans and for the agents running inside the town.
import { parseArgs } from 'node:util';
import { TownError } from '../../preload/errors.ts';
import { resolveTownDir } from '../town/paths.ts';
import { contextFor, type CliContext, type Command, type CommandValues, type OptionSpec } from './command.ts';
import { BEAD_COMMANDS } from './commands/bead-commands.ts';
import { exportCommand, importCommand } from './commands/ledger-commands.ts';
import { bdEnvCommand } from './commands/bd-env-command.ts';
import { WISP_COMMANDS } from './commands/wisp-commands.ts';
import { runtimeListCommand } from './commands/runtime-commands.ts';
import { initCommand, serveCommand, statusCommand, upCommand } from './commands/town-commands.ts';
import { RIG_COMMANDS } from './commands/rig-commands.ts';
import { WORK_COMMANDS } from './commands/work-commands.ts';
import { CONVOY_COMMANDS } from './commands/convoy-commands.ts';
import { MESSAGE_COMMANDS } from './commands/message-commands.ts';
import { CREW_COMMANDS } from './commands/crew-commands.ts';
import { MQ_COMMANDS } from './commands/mq-commands.ts';
import { ATTACH_COMMANDS } from './commands/attach-commands.ts';
import { COST_COMMANDS } from './commands/cost-commands.ts';
import { AGENT_HOOK_COMMANDS } from './commands/agent-hook-commands.ts';
import { SUPERVISION_COMMANDS } from './commands/supervision-commands.ts';
import { MOLECULE_COMMANDS } from './commands/molecule-commands.ts';
import { FEDERATION_COMMANDS } from './commands/federation-commands.ts';
import { WASTELAND_COMMANDS } from './commands/wasteland-commands.ts';

export const COMMANDS: Command[] = [
  initCommand, upCommand, serveCommand, statusCommand,
  ...BEAD_COMMANDS, ...WISP_COMMANDS,
  exportCommand, importCommand, bdEnvCommand, runtimeListCommand,
  ...RIG_COMMANDS, ...WORK_COMMANDS, ...CONVOY_COMMANDS, ...MESSAGE_COMMANDS, ...CREW_COMMANDS, ...ATTACH_COMMANDS, ...MQ_COMMANDS, ...COST_COMMANDS,
  ...AGENT_HOOK_COMMANDS, ...SUPERVISION_COMMANDS, ...MOLECULE_COMMANDS, ...FEDERATION_COMMANDS, ...WASTELAND_COMMANDS,
];

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  town: { type: 'string', value: 'DIR', description: 'the town folder (default: $GT_TOWN, else ~/gt)' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return `  ${flag.padEnd(28)} ${o.description}`;
  });
}

function commandLines(commands: Command[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length + (c.args ? c.args.length + 1 : 0)));
  return commands.map((c) => `  ${(c.name + (c.args ? ` ${c.args}` : '')).padEnd(width)}  ${c.summary}`);
}

/** `gt bead --help`: the commands of one group. */
export function groupHelp(group: string): string {
  return [`gt ${group} <command>:`, '', ...commandLines(COMMANDS.filter((c) => c.name.startsWith(`${group} `))), '', `Run \`gt ${group} <command> --help\` for a command's options.`].join('\n');
}

export function mainHelp(): string {
  return [
    'gt: run a town of AI coding agents (Gas Town Desktop)',
    '',
    'usage: gt [--town DIR] <command> [options]',
    '',
    'commands:',
    ...commandLines(COMMANDS),
    '',
    'global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Run `gt <command> --help` for a command\'s options.',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [
    `gt ${c.name}${c.args ? ` ${c.args}` : ''}: ${c.summary}`,
    '',
    'options:',
    ...optionLines({ ...(c.options ?? {}), ...GLOBAL_OPTIONS }),
    ...(c.details ? ['', c.details] : []),
  ].join('\n');
}

/** The command named by the leading positional words (the longest name wins: "escalate list" over
 *  "escalate"). Positionals are read with each candidate's own options, so an option's value is
 *  never taken for a command word. */
export function findCommand(argv: string[]): { command: Command; used: number } | null {
  let best: { command: Command; used: number } | null = null;
  // A positional is one of argv's own words: a command whose words are not all there is not parsed for.
  const given = new Set(argv);
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (best && words.length <= best.used) continue;
    if (!words.every((w) => given.has(w))) continue;
    let positionals: string[];
    try {
      positionals = parseArgs({ args: argv, options: { ...(command.options ?? {}), ...GLOBAL_OPTIONS }, allowPositionals: true, strict: false }).positionals;
    } catch {
      continue;
    }
    if (words.every((w, i) => positionals[i] === w)) best = { command, used: words.length };
  }
  return best;
}

/** Where a `gt` call runs: its own process (the Node CLI), or the town on a caller's behalf
 *  (cli-runner.ts, for the native client). The commands are the same; the host supplies output,
 *  the town folder, and each command's context. */
export interface CliHost {
  /** Text to stdout (1) or stderr (2), as it is. */
  write(fd: 1 | 2, text: string): void;
  /** The town folder from --town (or the caller's default when absent). */
  townDir(flag: string | undefined): string;
  context(townDir: string): CliContext;
  /** Why this host must not run the command (the caller runs it itself), or null to run it here. */
  refuse?(command: Command, values: CommandValues, positionals: string[], townDir: string): RunInCaller | null;
}

/** Thrown when the host refuses a command: it runs in the caller's own process instead, or (with
 *  `needsStdin`) here again once the caller sent its stdin along. */
export class RunInCaller extends Error {
  constructor(message: string, readonly needsStdin = false) {
    super(message);
  }
}

export function processHost(): CliHost {
  return {
    write: (fd, text) => void (fd === 1 ? process.stdout : process.stderr).write(text),
    townDir: (flag) => resolveTownDir(flag),
    context: (townDir) => contextFor(townDir),
  };
}

export async function main(argv: string[], host: CliHost = processHost()): Promise<number> {
  // For messages only: the leading non-option words (--town may stand anywhere).
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--town') { i++; continue; }
    if (a.startsWith('-')) continue;
    words.push(a);
    if (words.length === 3) break;
  }
  const found = findCommand(argv);
  if (!found) {
    if (words.length === 0) {
      host.write(1, mainHelp() + '\n');
      return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
    }
    const group = COMMANDS.some((c) => c.name.startsWith(`${words[0]} `));
    if (group && (argv.includes('--help') || argv.includes('-h'))) {
      host.write(1, groupHelp(words[0]) + '\n');
      return 0;
    }
    throw new TownError('invalid', group ? `unknown command: gt ${words.join(' ')} (see \`gt ${words[0]} --help\`)` : `unknown command: ${words[0]} (see \`gt --help\`)`);
  }
  const { command, used } = found;
  const options = { ...(command.options ?? {}), ...GLOBAL_OPTIONS };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new TownError('invalid', `${(err as Error).message.split('\n')[0]} (see \`gt ${command.name} --help\`)`);
  }
  if (parsed.values.help) {
    host.write(1, commandHelp(command) + '\n');
    return 0;
  }
  const positionals = parsed.positionals.slice(used);
  // A subcommand's word is never an argument of its parent (`gt escalate --severity high list` is
  // not an escalation titled "list"): the caller mixed the two commands' options.
  const sub = positionals.length ? COMMANDS.find((c) => c.name === `${command.name} ${positionals[0]}`) : undefined;
  if (sub) throw new TownError('invalid', `"${positionals[0]}" names the command \`gt ${sub.name}\`, not an argument of \`gt ${command.name}\` (see \`gt ${sub.name} --help\`)`);
  const values = parsed.values as CommandValues;
  const townDir = host.townDir(values.town as string | undefined);
  const refused = host.refuse?.(command, values, positionals, townDir);
  if (refused) throw refused;
  return command.run(host.context(townDir), values, positionals);
}

/** Where a command runs when nothing decides otherwise: anywhere. */
export function placeOf(command: Command, values: CommandValues): 'anywhere' | 'caller' {
  const place = command.place ?? 'anywhere';
  return typeof place === 'function' ? place(values) : place;
}

// Exit codes: 0 ok, 1 the request failed, 2 usage, 3 the town is not up (see status).
/** Runs one `gt` call on a host: its exit code; a failure is one line `gt: …` on stderr.
 *  A RunInCaller refusal is not a failure: it propagates to the host's caller. */
export async function execute(argv: string[], host: CliHost): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    host.write(1, mainHelp() + '\n');
    return 0;
  }
  try {
    return await main(argv, host);
  } catch (err) {
    if (err instanceof RunInCaller) throw err;
    const e = TownError.from(err);
    host.write(2, `gt: ${e.message.split('\n')[0]}\n`);
    return e.code === 'invalid' ? 2 : e.code === 'unavailable' ? 3 : 1;
  }
}

export async function runCli(argv: string[]): Promise<void> {
  // A reader that stopped reading (`gt bead list | head -1`) is not a failure of ours: stop quietly,
  // as a Unix tool killed by SIGPIPE would, instead of crashing with an EPIPE stack.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  process.exitCode = await execute(argv, processHost());
}
