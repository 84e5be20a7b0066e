// gt doctor [--fix]: checks what the town needs from this machine (doctor-checks.ts), names each
// problem with its fix, and repairs what can be repaired safely. Works with the town down.
import type { CheckResult } from '../../town/supervision/doctor/doctor-checks.ts';
import { JSON_OPTION, printJson, withTown, type CliContext, type Command } from '../command.ts';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

async function knownPolecats(ctx: CliContext): Promise<Set<string> | null> {
  try {
    return new Set((await withTown(ctx, (c) => c.agentList({ role: 'polecat' }))).map((a) => a.id));
  } catch {
    return null;
  }
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check dolt, git, node-pty, a browser, runtimes, permissions, orphans, rig settings and disk; --fix repairs what it safely can',
  options: { fix: { type: 'boolean', description: 'apply the fixes the doctor can make itself' }, ...JSON_OPTION },
  details: 'Exit codes: 0 nothing failed (warnings allowed), 1 a check failed (after --fix: one still fails).',
  // It checks (and fixes) the caller's machine: its PATH, its permissions.
  place: 'caller',
  async run(ctx, v) {
    // Loaded here, not at start: the checks pull in the runtimes' schemas, which no other gt call needs.
    const { runDoctor } = await import('../../town/supervision/doctor/doctor-checks.ts');
    const input = { paths: ctx.paths, knownPolecats: await knownPolecats(ctx) };
    let results: CheckResult[] = runDoctor(input);
    const fixed: string[] = [];
    if (v.fix) {
      for (const r of results) {
        if (r.status === 'ok' || !r.fix?.apply) continue;
        try {
          r.fix.apply();
          fixed.push(`${r.name}: ${r.fix.describe}`);
        } catch (e) {
          ctx.err(`could not fix ${r.name}: ${(e as Error).message}`);
        }
      }
      if (fixed.length) results = runDoctor(input);
    }
    const failed = results.filter((r) => r.status === 'fail');
    if (v.json) printJson(ctx, { ok: failed.length === 0, fixed, checks: results.map(({ fix, ...r }) => ({ ...r, fix: fix?.describe ?? null, fixable: Boolean(fix?.apply) })) });
    else {
      for (const f of fixed) ctx.out(`fixed  ${f}`);
      for (const r of results) ctx.out(`${MARK[r.status]} ${r.name}: ${r.detail}${r.status !== 'ok' && r.fix ? `\n    fix: ${r.fix.describe}${r.fix.apply ? ' (gt doctor --fix does it)' : ''}` : ''}`);
      ctx.out(failed.length ? `${failed.length} problem${failed.length > 1 ? 's' : ''}` : 'healthy');
    }
    return failed.length ? 1 : 0;
  },
};
