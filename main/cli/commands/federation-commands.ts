// gt remote add|list|remove, gt sync, gt federation show: the town's ledger beyond one machine.
import { TownError } from '../../../preload/errors.ts';
import type { RemoteStatus, SyncReport } from '../../../preload/requests/federation-types.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

/** `gt serve --remotes [--remotes-port N]`: turns serving on in settings/federation.json before the town starts. */
export async function enableServing(ctx: CliContext, portValue: unknown): Promise<void> {
  const port = portValue === undefined ? undefined : Number(portValue);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new TownError('invalid', `--remotes-port must be a port number, got ${String(portValue)}`);
  const { readFederationSettings, writeFederationSettings } = await import('../../town/federation/federation-settings.ts');
  const s = readFederationSettings(ctx.townDir);
  s.serve = { ...s.serve, enabled: true, ...(port ? { port } : {}) };
  writeFederationSettings(ctx.townDir, s);
}

const when = (t: number | undefined): string => (t ? new Date(t).toISOString() : 'never');

function remoteLine(r: RemoteStatus): string {
  const state = (label: string, s: RemoteStatus['push']): string => (s ? `${label} ${s.ok ? 'ok' : 'FAILED'} ${when(s.at)}${s.ok ? '' : ` (${s.message})`}` : `${label} never`);
  return `${r.name}  ${r.url}  [${state('push', r.push)}; ${state('pull', r.pull)}]`;
}

export const remoteAddCommand: Command = {
  name: 'remote add',
  summary: 'add a Dolt remote of the town\'s ledger (file:///folder, http://host:port/db of a town served with --remotes, DoltHub org/repo)',
  args: 'NAME URL',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'remote name');
    const url = requireArg(positionals, 1, 'remote URL');
    const r = await withTown(ctx, (c) => c.remoteAdd({ name, url }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`remote ${r.name} → ${r.url}`);
    return 0;
  },
};

export const remoteListCommand: Command = {
  name: 'remote list',
  summary: 'the ledger\'s remotes and the last push and pull of each',
  options: JSON_OPTION,
  async run(ctx, v) {
    const list = await withTown(ctx, (c) => c.remoteList({}));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no remotes (gt remote add NAME URL)');
    else for (const r of list) ctx.out(remoteLine(r));
    return 0;
  },
};

export const remoteRemoveCommand: Command = {
  name: 'remote remove',
  summary: 'remove a remote (the remote itself is not touched)',
  args: 'NAME',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'remote name');
    const r = await withTown(ctx, (c) => c.remoteRemove({ name }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`remote ${name} removed`);
    return 0;
  },
};

function reportLines(r: SyncReport): string[] {
  const out: string[] = [];
  if (r.pull) {
    out.push(`${r.remote}: pull ${r.pull.outcome}${r.pull.conflicts ? ` (${r.pull.conflicts} conflicts: ${r.pull.resolved} settled by rules, ${r.pull.unresolved.length} to the inbox)` : ''}${r.pull.reason ? `: ${r.pull.reason}` : ''}`);
    for (const n of r.pull.notes) out.push(`  ${n}`);
    if (r.pull.escalation) out.push(`  inbox item ${r.pull.escalation}`);
  }
  if (r.push) out.push(`${r.remote}: pushed (${r.push.split('\n').pop()?.trim()})`);
  for (const e of r.errors) out.push(`${r.remote}: ${e}`);
  return out;
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'pull (merged by the rules of docs/federation.md) then push the ledger; every remote unless NAME',
  args: '[push|pull] [NAME]',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const first = positionals[0];
    const direction = first === 'push' || first === 'pull' ? first : 'all';
    const name = direction === 'all' ? first : positionals[1];
    const reports = await withTown(ctx, (c) => c.sync({ direction, ...(name ? { name } : {}) }));
    if (v.json) printJson(ctx, reports);
    else if (!reports.length) ctx.out('no remotes (gt remote add NAME URL)');
    else for (const r of reports) for (const l of reportLines(r)) ctx.out(l);
    return reports.some((r) => r.errors.length) ? 1 : 0;
  },
};

export const federationShowCommand: Command = {
  name: 'federation show',
  summary: 'this town\'s identity, what it serves over remotesapi (with credentials), its remotes and commons',
  options: JSON_OPTION,
  async run(ctx, v) {
    const info = await withTown(ctx, (c) => c.federationInfo({}));
    if (v.json) printJson(ctx, info);
    else {
      ctx.out(`identity ${info.identity}`);
      ctx.out(info.serving ? `serving remotesapi at ${info.serving.url}<database> (user ${info.serving.user}${info.serving.password ? `, password ${info.serving.password}` : ''}${info.serving.writable ? ', push allowed' : ', read-only'})` : 'not serving (gt serve --remotes)');
      for (const r of info.remotes) ctx.out(`remote ${remoteLine(r)}`);
      ctx.out(info.commons ? `commons ${info.commons.upstream ?? '(hosted here)'}: ${info.commons.towns.length} towns` : 'no commons');
    }
    return 0;
  },
};

export const cloneCommand: Command = {
  name: 'clone',
  // Makes a new town folder and reads GT_REMOTE_PASSWORD from the caller's environment: runs in the caller.
  place: 'caller',
  summary: 'create a town (--town DIR) whose ledger is a Dolt clone of a remote; it keeps the remote as origin',
  args: 'URL',
  options: { user: { type: 'string', value: 'USER', description: 'the user for a remotesapi remote (password: GT_REMOTE_PASSWORD or settings/federation-secrets.json)' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const url = requireArg(positionals, 0, 'remote URL');
    const { cloneTown } = await import('../../town/federation/clone-town.ts');
    const r = cloneTown(ctx.townDir, url, typeof v.user === 'string' ? v.user : undefined);
    if (v.json) printJson(ctx, r);
    else ctx.out(`town created at ${r.town} with its ledger cloned from ${r.url} (gt up to run it)`);
    return 0;
  },
};

export const FEDERATION_COMMANDS: Command[] = [cloneCommand, remoteAddCommand, remoteListCommand, remoteRemoveCommand, syncCommand, federationShowCommand];
