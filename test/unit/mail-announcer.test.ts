// Which feed changes announce mail: created messages to agents with a session, nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead, BeadFeedEvent } from '../../preload/types.ts';
import { announcementsFor } from '../../main/town/supervision/mail-announcer.ts';

const bead = (b: Partial<Bead>): Bead => ({
  id: 'hq-abc', title: 'hello', description: '', type: 'message', status: 'open', priority: 2, assignee: 'r/crew/a', owner: '', createdBy: 'x',
  createdAt: '', updatedAt: '', closedAt: null, closeReason: '', labels: [], metadata: { from: 'mayor' }, ...b,
});

test('created messages to agents with a live session are announced once each', () => {
  const event: BeadFeedEvent = {
    commit: 'c', author: 'a', message: 'm',
    changes: [
      { kind: 'created', id: 'hq-abc', bead: bead({}) },
      { kind: 'created', id: 'hq-def', bead: bead({ id: 'hq-def', assignee: 'r/crew/asleep' }) },
      { kind: 'created', id: 'hq-ghi', bead: bead({ id: 'hq-ghi', assignee: 'overseer' }) },
      { kind: 'created', id: 'hq-jkl', bead: bead({ id: 'hq-jkl', type: 'task' }) },
      { kind: 'closed', id: 'hq-mno', bead: bead({ id: 'hq-mno' }) },
    ],
  };
  const out = announcementsFor(event, (a) => a !== 'r/crew/asleep');
  assert.deepEqual(out.map((a) => a.id), ['hq-abc']);
  assert.match(out[0].text, /new mail from mayor: "hello".*gt mail read hq-abc/);
});
