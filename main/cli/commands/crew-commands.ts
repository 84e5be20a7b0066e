// gt mayor, gt crew …: the agents people direct.
import type { AgentInfo } from '../../../preload/requests/work-types.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type Command } from '../command.ts';
import { runAttach } from '../attach-terminal.ts';
import { ATTACH_DETAILS } from './attach-commands.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const RUNTIME_OPTION = { runtime: { type: 'string' as const, value: 'NAME', description: 'runtime of the session (default: from the town\'s runtime settings)' } };

export const mayorCommand: Command = {
  name: 'mayor',
  summary: 'start the Mayor (primed with the town\'s state) if needed, then attach to it',
  options: {
    ...RUNTIME_OPTION,
    'no-attach': { type: 'boolean', description: 'only start it and print its terminal id (scripts, tests)' },
    ...JSON_OPTION,
  },
  details: `${ATTACH_DETAILS}\n--json implies --no-attach.`,
  // Attaching takes over the caller's terminal.
  place: (v) => (v.json || v['no-attach'] ? 'anywhere' : 'caller'),
  async run(ctx, v) {
    const r = await withTown(ctx, (c) => c.mayorStart({ runtime: str(v.runtime) }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`${r.started ? 'started' : 'already running'}: the Mayor in terminal ${r.terminal}`);
    if (v.json || v['no-attach']) return 0;
    return runAttach(ctx, r.agent);
  },
};

export const crewAddCommand: Command = {
  name: 'crew add',
  summary: 'a named, long-lived crew member with a full clone of the rig',
  args: 'NAME RIG',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'crew name');
    const rig = requireArg(positionals, 1, 'rig');
    const a = await withTown(ctx, (c) => c.crewAdd({ name, rig }));
    if (v.json) printJson(ctx, a);
    else ctx.out(`crew ${a.id} added: clone at ${a.workdir}`);
    return 0;
  },
};

export const crewStartCommand: Command = {
  name: 'crew start',
  summary: 'start a crew member\'s session in its clone',
  args: 'NAME RIG',
  options: { ...RUNTIME_OPTION, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'crew name');
    const rig = requireArg(positionals, 1, 'rig');
    const r = await withTown(ctx, (c) => c.crewStart({ name, rig, runtime: str(v.runtime) }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`${r.started ? 'started' : 'already running'}: ${r.agent} in terminal ${r.terminal}`);
    return 0;
  },
};

export const crewStopCommand: Command = {
  name: 'crew stop',
  summary: 'stop a crew member\'s session (its clone stays)',
  args: 'NAME RIG',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'crew name');
    const rig = requireArg(positionals, 1, 'rig');
    const r = await withTown(ctx, (c) => c.crewStop({ name, rig }));
    if (v.json) printJson(ctx, r);
    else ctx.out(r.stopped ? `stopped ${r.agent}` : `${r.agent} was not running`);
    return 0;
  },
};

export const crewListCommand: Command = {
  name: 'crew list',
  summary: 'crew members (of one rig, or all)',
  args: '[RIG]',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const list: AgentInfo[] = await withTown(ctx, (c) => c.crewList({ rig: positionals[0] }));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no crew');
    else for (const a of list) ctx.out(`${a.id}  ${a.session ? `running in ${a.session.terminal}` : 'stopped'}  ${a.workdir}`);
    return 0;
  },
};

export const CREW_COMMANDS: Command[] = [mayorCommand, crewAddCommand, crewStartCommand, crewStopCommand, crewListCommand];
