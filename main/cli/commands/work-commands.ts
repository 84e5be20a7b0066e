// gt sling, unsling, hook, prime, done, handoff, agent list|show, polecat remove: the work loop from the command line.
import type { AgentInfo } from '../../../preload/requests/work-types.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const slingCommand: Command = {
  name: 'sling',
  summary: 'hook beads to a rig\'s polecats, a polecat, a crew member, the Mayor or yourself; several make an auto-convoy',
  args: 'BEAD... [RIG|POLECAT|RIG/crew/NAME|mayor|self]',
  options: {
    runtime: { type: 'string', value: 'NAME', description: 'runtime of the polecat\'s session (default: the rig\'s)' },
    force: { type: 'boolean', description: 'take hooked work off its current hook first' },
    ...JSON_OPTION,
  },
  async run(ctx, v, positionals) {
    requireArg(positionals, 0, 'bead id');
    const force = v.force === true ? { force: true } : {};
    const many = await withTown(ctx, (c) => c.slingMany({ args: positionals, runtime: str(v.runtime), ...force }));
    if (v.json) printJson(ctx, many.convoy || many.results.length > 1 ? many : many.results[0]);
    else {
      if (many.convoy) ctx.out(`convoy ${many.convoy.id} "${many.convoy.title}" tracks ${many.convoy.progress.total} beads`);
      for (const r of many.results) {
        if (r.outcome === 'queued') ctx.out(`${r.bead} queued: ${r.reason}`);
        else ctx.out(`${r.bead} hooked to ${r.agent}${r.branch ? ` on ${r.branch}` : ''}${r.terminal ? ` (terminal ${r.terminal})` : ''}`);
      }
    }
    return 0;
  },
};

export const unslingCommand: Command = {
  name: 'unsling',
  summary: 'take a bead off the hook it is on (or out of the sling queue): open and unassigned again',
  args: 'BEAD',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const bead = requireArg(positionals, 0, 'bead id');
    const r = await withTown(ctx, (c) => c.unsling({ bead }));
    if (v.json) printJson(ctx, r);
    else ctx.out(r.message);
    return 0;
  },
};

export const hookCommand: Command = {
  name: 'hook',
  summary: 'what is on your hook (GUPP: if there is work on your hook, you run it); gt hook BEAD attaches a bead to yours',
  args: '[BEAD]',
  options: { agent: { type: 'string', value: 'ADDR', description: 'another agent\'s hook' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    if (positionals[0]) {
      const bead = positionals[0];
      const r = await withTown(ctx, (c) => c.hookBead({ bead }));
      if (v.json) printJson(ctx, r);
      else ctx.out(`${r.bead} is on ${r.agent}'s hook${r.branch ? ` (branch ${r.branch})` : ''}`);
      return 0;
    }
    const h = await withTown(ctx, (c) => c.hook({ agent: str(v.agent) }));
    if (v.json) printJson(ctx, h);
    else if (!h.bead) ctx.out(`${h.agent}: nothing on the hook`);
    else {
      ctx.out(`${h.agent}: ${h.bead.id} ${h.bead.title} [${h.bead.status}]`);
      if (h.branch) ctx.out(`  branch ${h.branch} in ${h.workdir}`);
      if (h.bead.description) ctx.out(`\n${h.bead.description}`);
    }
    return 0;
  },
};

export const primeCommand: Command = {
  name: 'prime',
  summary: 'your full context: role, hook, commands, mail waiting',
  options: { agent: { type: 'string', value: 'ADDR', description: 'another agent\'s context' }, ...JSON_OPTION },
  async run(ctx, v) {
    const p = await withTown(ctx, (c) => c.prime({ agent: str(v.agent) }));
    if (v.json) printJson(ctx, p);
    else ctx.write(p.text);
    return 0;
  },
};

export const doneCommand: Command = {
  name: 'done',
  summary: 'finish your hooked bead (in your worktree): commit, merge request, in review until it lands; back to idle',
  options: {
    'no-changes': { type: 'string', value: 'REASON', description: 'the bead needs no change: close it (no merge request)' },
    ...JSON_OPTION,
  },
  async run(ctx, v) {
    const noChanges = str(v['no-changes']);
    const r = await withTown(ctx, (c) => c.done({ cwd: ctx.cwd, ...(noChanges !== undefined ? { noChanges } : {}) }));
    if (v.json) printJson(ctx, r);
    else if (r.already) ctx.out(`${r.bead} was already done${r.mergeRequest ? ` (merge request ${r.mergeRequest})` : ''}`);
    else if (r.outcome === 'no-changes') ctx.out(`${r.bead} closed: no changes needed; ${r.agent} is idle`);
    else if (r.outcome === 'step' && r.step) ctx.out(`step done: ${r.step.title} (${r.step.done}). Next: ${r.step.nextTitle} (${r.step.next}); ${r.bead} stays on your hook. gt mol next shows it.`);
    else if (r.next) ctx.out(`${r.bead} in review: merge request ${r.mergeRequest} for ${r.branch}; it closes when it lands. Next on your hook: ${r.next.bead} (${r.next.title}) on ${r.next.branch}: gt hook shows it`);
    else ctx.out(`${r.bead} in review: merge request ${r.mergeRequest} for ${r.branch}; it closes when it lands. ${r.agent} is idle`);
    return 0;
  },
};

export const handoffCommand: Command = {
  name: 'handoff',
  summary: 'replace your session by a fresh one primed with your hook and this note',
  options: {
    message: { type: 'string', short: 'm', value: 'NOTE', description: 'where you are, for the next session' },
    agent: { type: 'string', value: 'ADDR', description: 'hand off another agent (the overseer)' },
    ...JSON_OPTION,
  },
  async run(ctx, v) {
    const r = await withTown(ctx, (c) => c.handoff({ note: str(v.message), agent: str(v.agent) }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`handing off ${r.agent}: a fresh session takes over`);
    return 0;
  },
};

function printAgents(ctx: CliContext, agents: AgentInfo[]): void {
  if (!agents.length) return ctx.out('no agents');
  for (const a of agents) ctx.out(`${a.id}  ${a.state}${a.hook ? ` ${a.hook}` : ''}${a.session ? `  session ${a.session.terminal}` : ''}`);
}

export const agentListCommand: Command = {
  name: 'agent list',
  summary: 'the town\'s agents (polecats, crew, Mayor): state, hook, session',
  options: { rig: { type: 'string', value: 'RIG', description: 'only this rig' }, role: { type: 'string', value: 'ROLE', description: 'polecat, crew or mayor' }, ...JSON_OPTION },
  async run(ctx, v) {
    const agents = await withTown(ctx, (c) => c.agentList({ rig: str(v.rig), role: str(v.role) as AgentInfo['role'] | undefined }));
    if (v.json) printJson(ctx, agents);
    else printAgents(ctx, agents);
    return 0;
  },
};

export const agentShowCommand: Command = {
  name: 'agent show',
  summary: 'one agent and its work history',
  args: 'ADDR',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const agent = requireArg(positionals, 0, 'agent address');
    const a = await withTown(ctx, (c) => c.agentShow({ agent }));
    if (v.json) printJson(ctx, a);
    else {
      printAgents(ctx, [a]);
      if (a.history) ctx.out(`  done ${a.history.done}, merge requests ${a.history.mergeRequests}, restarts ${a.history.respawns}`);
    }
    return 0;
  },
};

export const polecatRemoveCommand: Command = {
  name: 'polecat remove',
  summary: 'retire a polecat: stop its session, remove its worktree and merged branches, close its agent bead',
  args: 'ADDR | RIG NAME',
  options: { force: { type: 'boolean', description: 'even with work on its hook: stop it and give the work back (open, unassigned)' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const first = requireArg(positionals, 0, 'polecat address (<rig>/polecats/<name>) or RIG NAME');
    const agent = positionals[1] ? `${first}/polecats/${positionals[1]}` : first;
    const r = await withTown(ctx, (c) => c.polecatRemove({ agent, force: v.force === true }));
    if (v.json) printJson(ctx, r);
    else ctx.out(r.message);
    return 0;
  },
};

export const WORK_COMMANDS: Command[] = [slingCommand, unslingCommand, hookCommand, primeCommand, doneCommand, handoffCommand, agentListCommand, agentShowCommand, polecatRemoveCommand];
