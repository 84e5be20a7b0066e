// Pure logic of the work loop: CSV rows and templates, polecat names, agent addresses, rig
// prefixes, per-agent tokens, nudge sanitising, the prime text, the review state of a work bead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillTemplate, parseCsv } from '../../preload/csv.ts';
import { nextPolecatName, POLECAT_NAMES } from '../../main/town/polecats/names.ts';
import { parseAddress, polecatAddress } from '../../main/town/polecats/agent-store.ts';
import { defaultPrefix } from '../../main/town/rigs/rig-manager.ts';
import { agentToken } from '../../main/town/sessions/agent-token.ts';
import { sanitizeNudge } from '../../main/town/mail/nudge.ts';
import { renderPrime } from '../../main/town/polecats/prime.ts';
import { isGitUrl } from '../../main/town/rigs/rig-git.ts';
import { isInReview, refineryAddress, withWorkNote, workNote } from '../../main/town/polecats/work-beads.ts';
import type { Bead } from '../../preload/types.ts';

test('CSV: quoted commas, doubled quotes, newlines in fields, CRLF, blank lines', () => {
  const { columns, rows } = parseCsv('name,desc\r\na,"x, y"\r\n\r\nb,"say ""hi""\nsecond line"\r\n');
  assert.deepEqual(columns, ['name', 'desc']);
  assert.deepEqual(rows.map((r) => r.values), [{ name: 'a', desc: 'x, y' }, { name: 'b', desc: 'say "hi"\nsecond line' }]);
  assert.deepEqual(rows.map((r) => r.line), [2, 4]);
});

test('CSV: malformed rows are reported with their line number', () => {
  assert.throws(() => parseCsv('a,b\n1,2\n3\n'), /CSV line 3: 1 fields, the header has 2/);
  assert.throws(() => parseCsv('a,b\n1,"open\n'), /CSV line 2: a quoted field is not closed/);
  assert.throws(() => parseCsv('a,b\n1,x"y\n'), /CSV line 2: a quote inside an unquoted field/);
  assert.throws(() => parseCsv('a,a\n1,2\n'), /column a appears twice/);
  assert.throws(() => parseCsv('a,b\n'), /no rows/);
  assert.throws(() => parseCsv(''), /empty/);
});

test('templates fill columns and name an unknown one', () => {
  const { rows } = parseCsv('file,why\nsrc/a.ts,slow\n');
  assert.equal(fillTemplate('Fix {{file}} ({{ why }})', rows[0], 'title'), 'Fix src/a.ts (slow)');
  assert.throws(() => fillTemplate('{{nope}}', rows[0], 'title'), /CSV line 2: the title template uses \{\{nope\}\}/);
});

test('polecat names: the pool in order, then numbered', () => {
  assert.equal(nextPolecatName([]), POLECAT_NAMES[0]);
  assert.equal(nextPolecatName([POLECAT_NAMES[0]]), POLECAT_NAMES[1]);
  assert.equal(nextPolecatName(POLECAT_NAMES), `polecat-${POLECAT_NAMES.length + 1}`);
  assert.equal(new Set(POLECAT_NAMES).size, POLECAT_NAMES.length);
});

test('agent addresses parse back; anything else is not an agent', () => {
  assert.deepEqual(parseAddress(polecatAddress('shop', 'nux')), { role: 'polecat', rig: 'shop', name: 'nux' });
  assert.deepEqual(parseAddress('shop/crew/ann'), { role: 'crew', rig: 'shop', name: 'ann' });
  assert.deepEqual(parseAddress('mayor'), { role: 'mayor', rig: null, name: 'mayor' });
  for (const bad of ['overseer', 'shop/polecats/', 'shop/dogs/x', '../polecats/x', 'Shop/polecats/x']) assert.equal(parseAddress(bad), null, bad);
});

test('rig prefixes, git URLs, per-agent tokens, nudge text', () => {
  assert.equal(defaultPrefix('gastown'), 'gast');
  assert.equal(defaultPrefix('my-app'), 'myap');
  assert.ok(isGitUrl('https://github.com/x/y.git') && isGitUrl('git@github.com:x/y.git') && isGitUrl('file:///srv/r.git'));
  assert.ok(!isGitUrl('/srv/repo') && !isGitUrl('../repo'));
  const a = agentToken('town-secret', 'shop/polecats/nux');
  assert.equal(a, agentToken('town-secret', 'shop/polecats/nux'), 'stable');
  assert.notEqual(a, agentToken('town-secret', 'shop/polecats/slit'), 'per agent');
  assert.notEqual(a, agentToken('other-town', 'shop/polecats/nux'), 'per town');
  assert.equal(sanitizeNudge('hi\x1b[2J\r\nthere\x07'), 'hi [2J there');
});

test('prime: role template, hook with autonomous directive, handoff note, mail, commands', () => {
  const hook = { id: 'sh-abc', title: 'Fix it', description: 'details', status: 'hooked', priority: 1 } as Bead;
  const text = renderPrime({
    townRoot: '/nonexistent-town', agent: 'shop/polecats/nux', role: 'polecat', rig: 'shop', workdir: '/w', branch: 'polecat/nux/sh-abc',
    hook, handoff: 'halfway through', mail: [{ id: 'hq-m1', from: 'mayor', to: 'x', subject: 'hurry', body: '', kind: 'message', read: false, replyTo: null, severity: null, createdAt: '' }],
    now: new Date('2026-01-02T03:04:05Z'),
  });
  assert.match(text, /^\[GAS TOWN\] shop\/polecats\/nux <- town • 2026-01-02T03:04 • assigned:sh-abc/);
  assert.match(text, /You are shop\/polecats\/nux, a polecat/);
  assert.match(text, /on the branch polecat\/nux\/sh-abc/);
  assert.match(text, /sh-abc: Fix it \[hooked, P1\]\n\ndetails/);
  assert.match(text, /AUTONOMOUS WORK MODE/);
  assert.match(text, /halfway through/);
  assert.match(text, /Mail waiting \(1\)\n- hq-m1 from mayor: hurry/);
  assert.match(text, /gt done/);
  const idle = renderPrime({ townRoot: '/x', agent: 'mayor', role: 'mayor', rig: null, workdir: null, branch: null, hook: null, handoff: null, mail: [] });
  assert.match(idle, /\(empty\)/);
  assert.match(idle, /gt convoy create/);
});

test('in review: in_progress, held by the rig\'s refinery, with a review note; nothing else is', () => {
  const base = { id: 'sh-abc', title: 't', status: 'in_progress', assignee: refineryAddress('shop'), metadata: {} } as unknown as Bead;
  const reviewed = { ...base, metadata: withWorkNote(base, { review: { mergeRequest: 'sh-mr1', since: '' } }) } as Bead;
  assert.equal(refineryAddress('shop'), 'shop/refinery');
  assert.equal(isInReview(reviewed), true);
  assert.equal(isInReview(base), false, 'no review note');
  assert.equal(isInReview({ ...reviewed, assignee: 'shop/polecats/nux' }), false, 'held by a polecat: its hook');
  assert.equal(isInReview({ ...reviewed, status: 'closed' }), false, 'landed');
  assert.equal(workNote({ ...reviewed, metadata: withWorkNote(reviewed, { review: null }) } as Bead).review, null);
});

test('prime: a bead back from the merge queue shows why (gate output, conflicting files)', () => {
  const hook = { id: 'sh-abc', title: 'Fix it', description: '', status: 'hooked', priority: 1 } as Bead;
  const text = renderPrime({
    townRoot: '/nonexistent-town', agent: 'shop/polecats/nux', role: 'polecat', rig: 'shop', workdir: '/w', branch: 'b', hook, handoff: null, mail: [],
    rework: { kind: 'rejection', mergeRequest: 'sh-mr1', title: 'Fix b: gate failed (exit 1)', detail: 'Output (tail):\n\nFAIL: x.txt' },
  });
  assert.match(text, /## Back from the merge queue \(rejection, merge request sh-mr1\)\nFix b: gate failed \(exit 1\)\n\nOutput \(tail\):\n\nFAIL: x\.txt/);
  assert.match(text, /run `gt done` again/);
  assert.match(text, /gt done --no-changes/);
});
