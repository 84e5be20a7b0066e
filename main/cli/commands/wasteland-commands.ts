// gt wl create|join|post|browse|claim|done|sync|accept: the wanted board shared between towns.
import type { WantedItem } from '../../../preload/requests/federation-types.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type Command } from '../command.ts';

function itemLine(w: WantedItem): string {
  const trust = w.trusted ? '' : ' [untrusted]';
  const claim = w.claimedBy ? ` by ${w.claimedBy}` : '';
  const local = w.localBead ? ` → ${w.localBead}` : '';
  return `${w.id}  ${w.status}${claim}${local}  P${w.priority} ${w.title}  (from ${w.postedBy}${trust})`;
}

const prefixOption = { prefix: { type: 'string' as const, value: 'PREFIX', description: 'bead prefix of the local bead a won claim becomes (e.g. a rig\'s)' } };

export const wlCreateCommand: Command = {
  name: 'wl create',
  summary: 'host a new commons (wanted board) in this town; others join it at its remotesapi URL (gt serve --remotes)',
  options: JSON_OPTION,
  async run(ctx, v) {
    const info = await withTown(ctx, (c) => c.wlCreate({}));
    if (v.json) printJson(ctx, info);
    else ctx.out(`commons ${info.database} hosted here; towns: ${info.towns.map((t) => t.handle).join(', ')}`);
    return 0;
  },
};

export const wlJoinCommand: Command = {
  name: 'wl join',
  summary: 'clone a commons (a Dolt remote URL) and register this town in it',
  args: 'URL',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const url = requireArg(positionals, 0, 'commons URL');
    const info = await withTown(ctx, (c) => c.wlJoin({ url }));
    if (v.json) printJson(ctx, info);
    else ctx.out(`joined ${info.upstream}; ${info.towns.length} towns (${info.towns.filter((t) => t.accepted).length} accepted)`);
    return 0;
  },
};

export const wlPostCommand: Command = {
  name: 'wl post',
  summary: 'publish a bead as wanted (posting town and a link back to the bead)',
  args: 'BEAD',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const bead = requireArg(positionals, 0, 'bead id');
    const w = await withTown(ctx, (c) => c.wlPost({ bead }));
    if (v.json) printJson(ctx, w);
    else ctx.out(`posted ${w.id} (${w.link})`);
    return 0;
  },
};

export const wlBrowseCommand: Command = {
  name: 'wl browse',
  summary: 'the wanted board as this town\'s clone has it (gt wl sync for the latest)',
  options: { status: { type: 'string', value: 'STATUS', description: 'open, claimed, completed or withdrawn' }, ...JSON_OPTION },
  async run(ctx, v) {
    const status = typeof v.status === 'string' ? v.status as WantedItem['status'] : undefined;
    const list = await withTown(ctx, (c) => c.wlBrowse(status ? { status } : {}));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('nothing wanted');
    else for (const w of list) ctx.out(itemLine(w));
    return 0;
  },
};

export const wlClaimCommand: Command = {
  name: 'wl claim',
  summary: 'claim a wanted item: the first claim to reach the commons wins; won → a local bead',
  args: 'ID',
  options: { untrusted: { type: 'boolean', description: 'claim an item of a town the commons does not accept' }, ...prefixOption, ...JSON_OPTION },
  details: 'Exits 0 when won, 1 when lost (recorded in the commons), 4 when pending (the commons could not be reached).',
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'wanted id');
    const r = await withTown(ctx, (c) => c.wlClaim({ id, untrusted: v.untrusted === true, ...(typeof v.prefix === 'string' ? { prefix: v.prefix } : {}) }));
    if (v.json) printJson(ctx, r);
    else ctx.out(r.message);
    return r.outcome === 'won' ? 0 : r.outcome === 'lost' ? 1 : 4;
  },
};

export const wlDoneCommand: Command = {
  name: 'wl done',
  summary: 'complete an item this town won, with a reference to the work (commit, PR, bead)',
  args: 'ID',
  options: { ref: { type: 'string', value: 'REF', description: 'where the work is (required)' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'wanted id');
    if (typeof v.ref !== 'string') {
      const { TownError } = await import('../../../preload/errors.ts');
      throw new TownError('invalid', 'gt wl done needs --ref REF');
    }
    const ref = v.ref;
    const w = await withTown(ctx, (c) => c.wlDone({ id, ref }));
    if (v.json) printJson(ctx, w);
    else ctx.out(`${w.id} ${w.status} (${w.completedRef})`);
    return 0;
  },
};

export const wlSyncCommand: Command = {
  name: 'wl sync',
  summary: 'pull the commons (claims settled by the first push), push this town\'s changes, turn won claims into beads',
  options: { ...prefixOption, ...JSON_OPTION },
  async run(ctx, v) {
    const r = await withTown(ctx, (c) => c.wlSync(typeof v.prefix === 'string' ? { prefix: v.prefix } : {}));
    if (v.json) printJson(ctx, r);
    else {
      ctx.out(r.offline ? `offline: ${r.offline}` : `pulled ${r.pulled}${r.pushed ? ', pushed' : ''}${r.conflicts ? `, ${r.conflicts} conflicts settled` : ''}`);
      for (const l of r.lost) ctx.out(`lost claim ${l} (another town's claim reached the commons first)`);
      for (const b of r.newBeads) ctx.out(`won ${b.wanted} → bead ${b.bead}`);
      for (const c of r.completed) ctx.out(`completed ${c}`);
    }
    return 0;
  },
};

export const wlAcceptCommand: Command = {
  name: 'wl accept',
  summary: 'accept a town in the commons: its entries become trusted (only an accepted town may)',
  args: 'TOWN',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const town = requireArg(positionals, 0, 'town identity');
    const info = await withTown(ctx, (c) => c.wlAccept({ town }));
    if (v.json) printJson(ctx, info);
    else ctx.out(`accepted ${town}; accepted towns: ${info.towns.filter((t) => t.accepted).map((t) => t.handle).join(', ')}`);
    return 0;
  },
};

export const wlAttemptsCommand: Command = {
  name: 'wl attempts',
  summary: 'every claim attempt in the commons: claimed (standing) or lost to a claim that arrived first',
  options: JSON_OPTION,
  async run(ctx, v) {
    const list = await withTown(ctx, (c) => c.wlAttempts({}));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no claims yet');
    else for (const a of list) ctx.out(`${a.wantedId}  ${a.town}  ${a.outcome}  ${a.at}`);
    return 0;
  },
};

export const wlInfoCommand: Command = {
  name: 'wl info',
  summary: 'the commons this town joined: its upstream, the towns in it and which it accepts, the last sync',
  options: JSON_OPTION,
  async run(ctx, v) {
    const info = await withTown(ctx, (c) => c.wlInfo({}));
    if (v.json) printJson(ctx, info);
    else if (!info) ctx.out('no commons (gt wl join URL, or gt wl create)');
    else {
      ctx.out(`commons ${info.upstream ?? '(hosted here)'}; last sync ${info.lastSync ? `${new Date(info.lastSync.at).toISOString()} ${info.lastSync.message}` : 'never'}`);
      for (const t of info.towns) ctx.out(`  ${t.handle}${t.accepted ? ' (accepted)' : ' (not accepted: its entries are untrusted)'}`);
    }
    return 0;
  },
};

export const WASTELAND_COMMANDS: Command[] = [wlInfoCommand, wlAttemptsCommand, wlCreateCommand, wlJoinCommand, wlPostCommand, wlBrowseCommand, wlClaimCommand, wlDoneCommand, wlSyncCommand, wlAcceptCommand];
