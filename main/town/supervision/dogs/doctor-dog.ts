// The doctor dog: the same checks as `gt doctor`, run inside the town (no fixes); each failing
// check is escalated (medium) once per run, so a machine going bad reaches the user.
import { runDoctor } from '../doctor/doctor-checks.ts';
import type { Dog, DogOutcome } from './dog.ts';

export const doctorDog: Dog = {
  name: 'doctor',
  summary: 'gt doctor\'s checks inside the town; failures escalated',
  async run(s): Promise<DogOutcome> {
    const known = new Set((await s.work.agents.list({ role: 'polecat' })).map((a) => a.meta.address));
    const results = runDoctor({ paths: s.paths, knownPolecats: known });
    const failed = results.filter((r) => r.status === 'fail');
    for (const f of failed) {
      await s.escalations.raise({ severity: 'medium', message: `gt doctor: ${f.name}: ${f.detail}${f.fix ? `\nfix: ${f.fix.describe}` : ''}`, from: 'town/dog-doctor', source: 'dog' }).catch(() => undefined);
    }
    return { ok: failed.length === 0, message: failed.length ? `${failed.length} problem(s): ${failed.map((f) => f.name).join(', ')}` : `${results.length} checks ok`, details: { checks: results.map(({ fix, ...r }) => ({ ...r, fix: fix?.describe ?? null })) } };
  },
};
