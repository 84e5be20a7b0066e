// gt costs, gt budget …, gt estop / gt resume, gt rig park | unpark, gt dnd: cost and controls.
import { TownError } from '../../../preload/errors.ts';
import type { ControlsState, CostReport, CostTotals } from '../../../preload/requests/cost-types.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

const BY = ['agent', 'bead', 'convoy', 'rig', 'day', 'model', 'town'] as const;

/** --since: a duration back from now (30m, 2h, 7d) or a date/time (2026-11-30, ISO 8601). */
export function parseSince(v: string, now = Date.now()): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i.exec(v.trim());
  if (m) {
    const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2].toLowerCase() as 'm'];
    return Math.round(now - Number(m[1]) * unit);
  }
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new TownError('invalid', `--since ${v}: give a duration (30m, 2h, 7d) or a date (2026-11-30, ISO 8601)`);
  return t;
}

export const money = (t: Pick<CostTotals, 'cost' | 'unpricedTokens' | 'unpricedModels'>): string =>
  t.unpricedTokens > 0 ? `${t.cost > 0 ? `$${t.cost.toFixed(2)} + ` : ''}price unknown (${t.unpricedModels.join(', ')})` : `$${t.cost.toFixed(2)}`;

const tokensText = (t: CostTotals): string => `in ${t.input} out ${t.output} cache-write ${t.cacheWrite} cache-read ${t.cacheRead}`;

function printReport(ctx: CliContext, r: CostReport, asked?: number): void {
  // Usage older than the town's recent window (24 h) is kept by the UTC day: docs/costs.md.
  if (asked !== undefined && r.since !== null && r.since !== asked) ctx.out(`(counted since ${new Date(r.since).toISOString()}: usage older than 24 hours is kept by the UTC day)`);
  if (!r.rows.length) ctx.out(`no usage recorded${r.since ? ` since ${new Date(r.since).toISOString()}` : ''}`);
  const width = Math.max(8, ...r.rows.map((x) => x.key.length));
  for (const row of r.rows) ctx.out(`${row.key.padEnd(width)}  ${money(row).padStart(10)}  ${row.calls} calls  ${tokensText(row)}`);
  ctx.out(`${'total'.padEnd(width)}  ${money(r.total).padStart(10)}  ${r.total.calls} calls  ${tokensText(r.total)}`);
  ctx.out(`(prices: shipped defaults of ${r.pricesDate} + settings/costs.json)`);
}

function printControls(ctx: CliContext, c: ControlsState): void {
  ctx.out(c.estop ? `E-STOP since ${new Date(c.estop.since).toISOString()} by ${c.estop.by}: agents frozen, nothing dispatched (gt resume)` : 'running (no e-stop)');
  if (c.parkedRigs.length) ctx.out(`parked rigs: ${c.parkedRigs.join(', ')}`);
  if (c.budgetPaused.length) ctx.out(`paused by budget: ${c.budgetPaused.join(', ')}`);
  if (c.dndUntil && c.dndUntil > Date.now()) ctx.out(`do-not-disturb until ${new Date(c.dndUntil).toISOString()}`);
}

export const costsCommand: Command = {
  name: 'costs',
  summary: 'what agents cost: tokens and dollars by agent, bead, convoy, rig or day',
  options: {
    by: { type: 'string', value: 'WHAT', description: `group by ${BY.join('|')} (default agent)` },
    since: { type: 'string', value: 'WHEN', description: 'only usage since then: 30m, 2h, 7d, or a date' },
    ...JSON_OPTION,
  },
  async run(ctx, v) {
    const by = (typeof v.by === 'string' ? v.by : 'agent') as (typeof BY)[number];
    if (!BY.includes(by)) throw new TownError('invalid', `--by ${String(v.by)}: one of ${BY.join(', ')}`);
    const since = typeof v.since === 'string' ? parseSince(v.since) : undefined;
    const r = await withTown(ctx, (c) => c.costReport({ by, since }));
    if (v.json) printJson(ctx, r);
    else printReport(ctx, r, since);
    return 0;
  },
};

export const estopCommand: Command = {
  name: 'estop',
  summary: 'emergency stop: freeze every agent\'s processes and dispatch nothing (survives restarts)',
  options: JSON_OPTION,
  async run(ctx, v) {
    const r = await withTown(ctx, (c) => c.estop({}));
    if (v.json) printJson(ctx, r);
    else {
      ctx.out(`e-stop: ${r.frozen} process(es) frozen${process.platform === 'win32' ? ' (freezing is not supported on Windows: only dispatch is paused)' : ''}`);
      printControls(ctx, r);
    }
    return 0;
  },
};

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'end the e-stop: frozen agents continue where they were, dispatch resumes',
  options: JSON_OPTION,
  async run(ctx, v) {
    const r = await withTown(ctx, (c) => c.estopRelease({}));
    if (v.json) printJson(ctx, r);
    else ctx.out(`resumed: ${r.resumed} process(es) continued`);
    return 0;
  },
};

const parkCommand = (park: boolean): Command => ({
  name: park ? 'rig park' : 'rig unpark',
  summary: park ? 'stop dispatching work to a rig (running agents continue)' : 'dispatch work to a parked rig again',
  args: 'RIG',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const rig = requireArg(positionals, 0, 'rig name');
    const r = await withTown(ctx, (c) => (park ? c.rigPark({ rig }) : c.rigUnpark({ rig })));
    if (v.json) printJson(ctx, r);
    else ctx.out(park ? `rig ${rig} parked: nothing new is dispatched to it` : `rig ${rig} unparked`);
    return 0;
  },
});

export const dndCommand: Command = {
  name: 'dnd',
  summary: 'do-not-disturb: mute notifications for MINUTES (default 60; "off" ends it)',
  args: '[MINUTES|off]',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const arg = positionals[0] ?? '60';
    const minutes = arg === 'off' ? 0 : Number(arg);
    if (!Number.isFinite(minutes) || minutes < 0) throw new TownError('invalid', `dnd ${arg}: give minutes or "off"`);
    const r = await withTown(ctx, (c) => c.dnd({ minutes }));
    if (v.json) printJson(ctx, r);
    else ctx.out(r.dndUntil ? `notifications muted until ${new Date(r.dndUntil).toISOString()}` : 'notifications on');
    return 0;
  },
};

export const controlsCommand: Command = {
  name: 'controls',
  summary: 'e-stop, parked rigs, budget pauses and do-not-disturb, as they are now',
  options: JSON_OPTION,
  async run(ctx, v) {
    const r = await withTown(ctx, (c) => c.controlsStatus({}));
    if (v.json) printJson(ctx, r);
    else printControls(ctx, r);
    return 0;
  },
};

export const budgetSetCommand: Command = {
  name: 'budget set',
  summary: 'a budget in dollars for the town, a rig or a convoy, per day or in total (replaces the same one)',
  args: 'town|rig|convoy [TARGET] AMOUNT',
  options: { per: { type: 'string', value: 'day|total', description: 'the period (default total)' }, ...JSON_OPTION },
  details: 'At 80% a warning goes to the inbox; at 100% nothing new is dispatched in that scope (and, with\npauseAgentsOnBudget in settings/costs.json, its running agents are paused). Raising it resumes.',
  async run(ctx, v, positionals) {
    const scope = requireArg(positionals, 0, 'scope (town, rig or convoy)');
    if (scope !== 'town' && scope !== 'rig' && scope !== 'convoy') throw new TownError('invalid', `scope ${scope}: town, rig or convoy`);
    const target = scope === 'town' ? undefined : requireArg(positionals, 1, `${scope} name`);
    const amountText = requireArg(positionals, scope === 'town' ? 1 : 2, 'amount').replace(/^\$/, '');
    const amount = Number(amountText);
    if (!Number.isFinite(amount) || amount <= 0) throw new TownError('invalid', `amount ${amountText}: a positive number of dollars`);
    const period = typeof v.per === 'string' ? v.per : 'total';
    if (period !== 'day' && period !== 'total') throw new TownError('invalid', `--per ${period}: day or total`);
    const b = await withTown(ctx, (c) => c.budgetSet({ scope, target, amount, period }));
    if (v.json) printJson(ctx, b);
    else ctx.out(`budget ${b.id}: $${b.amount.toFixed(2)}, spent $${b.spent.toFixed(2)} (${Math.round(b.ratio * 100)}%, ${b.state})`);
    return 0;
  },
};

export const budgetListCommand: Command = {
  name: 'budget list',
  summary: 'budgets and how much of each is spent',
  options: JSON_OPTION,
  async run(ctx, v) {
    const list = await withTown(ctx, (c) => c.budgetList({}));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no budgets');
    else for (const b of list) ctx.out(`${b.id}  $${b.spent.toFixed(2)} of $${b.amount.toFixed(2)}  ${Math.round(b.ratio * 100)}%  ${b.state}`);
    return 0;
  },
};

export const budgetRemoveCommand: Command = {
  name: 'budget remove',
  summary: 'remove a budget (by its id, see gt budget list)',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'budget id');
    const r = await withTown(ctx, (c) => c.budgetRemove({ id }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`budget ${r.removed.id} removed`);
    return 0;
  },
};

export const COST_COMMANDS: Command[] = [
  costsCommand, budgetSetCommand, budgetListCommand, budgetRemoveCommand, estopCommand, resumeCommand, parkCommand(true), parkCommand(false), dndCommand, controlsCommand,
];
