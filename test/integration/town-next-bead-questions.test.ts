// What a script session asks the town per bead when `gt done` hands it the next one (docs/work-loop.md,
// "The next bead comes with gt done"): gt done's answer says whether that bead walks a molecule, so
// the session asks `gt mol next` only for its first bead (read from the hook). On a real Town in this
// process (real Dolt, git, PTY host, script agents calling the town through `gt`): a convoy of 3 on a
// rig of one polecat lands with one `gt mol next` and three `gt done`s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ConvoyStatus } from '../../preload/requests/work-types.ts';
import { Town } from '../../main/town/town.ts';
import { readSecrets } from '../../main/town/config.ts';
import { listenOnSocket } from '../../main/api/socket-server.ts';
import { fixtureRepo, startInProcessTown, waitFor } from './town-fixture.ts';

let town: Town;
let server: { close(): Promise<void> } | undefined;
let stop: () => Promise<void>;
const overseer = { actor: 'overseer', transport: 'in-process' as const, consumer: 'test' };

before(async () => {
  const t = await startInProcessTown({ tickMs: 500 });
  ({ town, stop } = t);
  // The sessions' `gt` reaches this town through its socket, as `gt up` serves it.
  server = await listenOnSocket(town, town.paths.socket, readSecrets(town.paths).apiToken);
  await town.call('rigAdd', { name: 'ask', source: fixtureRepo(join(t.dir, '..'), 'ask-src'), prefix: 'ak', runtime: 'script', maxPolecats: 1 }, overseer);
});
after(async () => {
  await server?.close();
  await stop?.();
});

test('a session taking its next beads from gt done asks gt mol next once, for its first bead', async () => {
  const asked = { next: 0, done: 0 };
  const molecules = town.work.molecules;
  const next = molecules.next.bind(molecules);
  const done = molecules.done.bind(molecules);
  molecules.next = (agent) => { asked.next++; return next(agent); };
  molecules.done = (...a) => { asked.done++; return done(...a); };
  try {
    const beads = [];
    for (const n of [1, 2, 3]) {
      const description = ['```gt-script', `write ask${n}.txt bead ${n}\\n`, '```'].join('\n');
      beads.push(await town.ledger.create({ title: `ask ${n}`, description, prefix: 'ak' }, 'overseer'));
    }
    const convoy = await town.call('convoyCreate', { name: 'ask', beads: beads.map((b) => b.id), rig: 'ask' }, overseer) as ConvoyStatus;
    await waitFor('the convoy to land', async () => ((await town.call('convoyStatus', { id: convoy.id }, overseer)) as ConvoyStatus).status === 'closed', 180_000, 300);
  } finally {
    molecules.next = next;
    molecules.done = done;
  }
  assert.equal(asked.done, 3, 'one gt done a bead');
  assert.equal(asked.next, 1, `one gt mol next, for the first bead read from the hook (asked ${asked.next} times)`);
});
