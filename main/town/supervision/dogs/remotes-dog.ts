// The remotes dog: every 15 minutes (settings dogs.remotes) pushes the town's ledger to each of its
// Dolt remotes (`gt remote add`), as Gas Town's dolt_remotes ticker does. It only pushes: pulling
// changes someone else made is the overseer's call (`gt sync pull`). A rejected push (the remote
// moved on) or an unreachable remote fails the run with the reason; the next run tries again.
import { LedgerRemotes } from '../../federation/ledger-remotes.ts';
import { readFederationSettings } from '../../federation/federation-settings.ts';
import type { SupervisionContext } from '../supervision-context.ts';
import type { Dog, DogOutcome } from './dog.ts';

export const remotesDog: Dog = {
  name: 'remotes',
  summary: 'push the ledger to each of its Dolt remotes (gt remote add)',
  async run(s: SupervisionContext): Promise<DogOutcome> {
    const remotes = new LedgerRemotes({
      conn: s.ledger.conn, ledger: s.ledger, remoteUser: readFederationSettings(s.paths.root).remoteUser, log: s.log,
      escalate: async (message, details) => (await s.escalations.raise({ severity: 'medium', message, from: 'town/dog-remotes', source: 'dog', details })).id,
    });
    const reports = await remotes.sync('push');
    if (!reports.length) return { ok: true, message: 'no remotes', details: { remotes: [] } };
    const failed = reports.filter((r) => r.errors.length);
    const message = reports.map((r) => `${r.remote}: ${r.errors.length ? r.errors.join('; ') : 'pushed'}`).join(', ');
    return { ok: failed.length === 0, message, details: { remotes: reports.map((r) => ({ remote: r.remote, ok: !r.errors.length, errors: r.errors })) } };
  },
};
