// Escalation routing by severity and re-raising of unacknowledged ones (at most twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueForReraise, route, type EscalationNote } from '../../main/town/supervision/escalation-rules.ts';

test('inbox always; the Mayor from medium; an OS notification from high', () => {
  assert.deepEqual(route('low'), { inbox: true, mailMayor: false, notify: false });
  assert.deepEqual(route('medium'), { inbox: true, mailMayor: true, notify: false });
  assert.deepEqual(route('high'), { inbox: true, mailMayor: true, notify: true });
  assert.deepEqual(route('critical'), { inbox: true, mailMayor: true, notify: true });
});

test('raised again after the interval, never when acknowledged or closed, at most maxReraises times', () => {
  const note = (extra: Partial<EscalationNote>): EscalationNote => ({ from: 'a', to: 'overseer', severity: 'medium', raisedAt: 0, reraised: 0, ...extra });
  const items = [
    { id: 'fresh', status: 'open', createdAt: 0, note: note({ raisedAt: 900 }) },
    { id: 'due', status: 'open', createdAt: 0, note: note({}) },
    { id: 'acked', status: 'open', createdAt: 0, note: note({ ackedAt: 5 }) },
    { id: 'closed', status: 'closed', createdAt: 0, note: note({}) },
    { id: 'twice', status: 'open', createdAt: 0, note: note({ reraised: 2, lastRaisedAt: 0 }) },
    { id: 'once', status: 'open', createdAt: 0, note: note({ reraised: 1, lastRaisedAt: 400 }) },
  ];
  assert.deepEqual(dueForReraise(items, 1_000, { reraiseMs: 500, maxReraises: 2 }).map((e) => e.id), ['due', 'once']);
  assert.deepEqual(dueForReraise(items, 1_000, { reraiseMs: 700, maxReraises: 2 }).map((e) => e.id), ['due']);
});

test('desktop alert only for events that ask for a notification', async () => {
  const { escalationAlert } = await import('../../main/electron/escalation-alert.ts');
  const base = { id: 'hq-1', severity: 'high' as const, from: 'town/witness', message: 'stuck\nmore', reraised: 0, source: 'witness' };
  assert.deepEqual(escalationAlert({ ...base, notify: true }), { title: 'Gas Town: high escalation', body: 'town/witness: stuck' });
  assert.equal(escalationAlert({ ...base, severity: 'medium', notify: false }), null);
});
