// OpenMergeRequests (main/town/refineries/open-requests.ts) without I/O: the ledger is an object the
// test holds. It answers a rig's open requests in the ledger's list order from one load, routes only
// the merge queue's "open requests of this rig" list to memory (every other list to the ledger), and
// takes the queue's writes so a closed request leaves at once, without a load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenMergeRequests } from '../../main/town/refineries/open-requests.ts';
import { NOT_CLOSED } from '../../main/town/bead-mirror.ts';
import type { TownLedgerForQueue } from '../../main/town/refineries/town-queue-store.ts';
import type { Bead } from '../../preload/types.ts';

function mr(id: string, over: Partial<Bead> = {}): Bead {
  return {
    id, title: id, description: '', type: 'merge-request', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 'p',
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', closedAt: null, closeReason: '',
    labels: ['gt:merge-request'], metadata: { branch: `polecat/x/${id}` }, ...over,
  };
}

function setup(rows: Bead[]) {
  const calls: string[] = [];
  const ledger = {
    list: async (filter: Record<string, unknown> = {}) => {
      calls.push(`list ${JSON.stringify(filter)}`);
      return rows.filter((b) => b.status !== 'closed').map((b) => structuredClone(b));
    },
    closeBead: async (id: string) => {
      calls.push(`close ${id}`);
      return mr(id, { status: 'closed', updatedAt: '2026-01-01T00:00:09.000Z' });
    },
  } as unknown as TownLedgerForQueue;
  return { calls, ledger, open: new OpenMergeRequests(ledger) };
}

test("a rig's open requests in list order (priority, age, id), other rigs' left out, from one load", async () => {
  const { calls, open } = setup([
    mr('bn-c', { priority: 1, createdAt: '2026-01-01T00:00:03.000Z' }),
    mr('bn-b', { priority: 2, createdAt: '2026-01-01T00:00:01.000Z' }),
    mr('bn-a', { priority: 2, createdAt: '2026-01-01T00:00:01.000Z' }),
    mr('bn-d', { priority: 1, createdAt: '2026-01-01T00:00:02.000Z' }),
    mr('zz-a', { priority: 0 }),
    mr('bnx-a', { priority: 0 }),
    mr('bn-closed', { status: 'closed' }),
  ]);
  assert.deepEqual((await open.of('bn')).map((b) => b.id), ['bn-d', 'bn-c', 'bn-a', 'bn-b']);
  assert.deepEqual((await open.of('zz')).map((b) => b.id), ['zz-a']);
  assert.equal(calls.filter((c) => c.startsWith('list')).length, 1, 'one load for every read');
});

test("the queue's slice: its open-requests list is answered from memory, any other list asks the ledger; a close it writes leaves at once", async () => {
  const { calls, ledger, open } = setup([mr('bn-a'), mr('bn-b')]);
  const queue = open.reporting(ledger);
  const openList = { type: 'merge-request', prefix: 'bn', statuses: [...NOT_CLOSED] };
  assert.deepEqual((await queue.list(openList as never)).map((b) => b.id), ['bn-a', 'bn-b']);
  assert.equal(calls.length, 1, 'the load');
  await queue.list({ type: 'merge-request', prefix: 'bn' } as never); // every status: the ledger's
  await queue.list({ ...openList, assignee: 'someone' } as never); // another filter too
  assert.equal(calls.filter((c) => c.startsWith('list')).length, 3);
  await queue.closeBead('bn-a', 'merged', 'bn/refinery');
  assert.deepEqual((await queue.list(openList as never)).map((b) => b.id), ['bn-b'], 'the closed request left without a load');
  assert.equal(calls.filter((c) => c.startsWith('list')).length, 3);
});
