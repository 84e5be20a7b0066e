// Sling and hook as Gas Town users expect: to a rig, a named polecat, a crew member, the Mayor or
// yourself; several beads at once make an auto-convoy (blocked ones wait for their blockers to
// land); --force takes hooked work off its hook; unsling gives it back; gt hook BEAD attaches work
// to the caller. Real town: Dolt, PTYs, git, script agents.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, ConvoyStatus, HookInfo, SlingManyResult, SlingResult, UnslingResult } from '../../preload/requests/work-types.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig, scriptBead } from './town-work-helpers.ts';

let t: TestTown;
before(async () => {
  t = await startTestTown({ tickMs: 500 });
  await addRig(t, 'deck', 'dk', 3);
  assert.equal((await t.gt(['crew', 'add', 'ann', 'deck'])).code, 0);
});
after(async () => t?.cleanup());

const hanging = (title: string): Promise<Bead> => t.json<Bead>(['bead', 'create', '--rig', 'deck', '-t', title, '-d', '```gt-script\nhang\n```']);
const show = (id: string): Promise<Bead> => t.json<Bead>(['bead', 'show', id]);
const CREW = 'deck/crew/ann';

test('sling to a rig, a named polecat, a crew member, the Mayor and yourself', async () => {
  const toRig = await t.json<SlingResult>(['sling', (await hanging('to the rig')).id, 'deck']);
  assert.equal(toRig.outcome, 'hooked');
  assert.match(toRig.agent!, /^deck\/polecats\//);

  const named = await hanging('to nux');
  const toPolecat = await t.json<SlingResult>(['sling', named.id, 'deck/polecats/nux']);
  assert.equal(toPolecat.agent, 'deck/polecats/nux');
  assert.equal(toPolecat.branch, `polecat/nux/${named.id}`);
  assert.equal((await show(named.id)).assignee, 'deck/polecats/nux');

  // A crew member: hooked to it, and its stopped session is started (its prime shows the hook).
  const crewBead = await hanging('for ann');
  const toCrew = await t.json<SlingResult>(['sling', crewBead.id, CREW]);
  assert.equal(toCrew.outcome, 'hooked');
  assert.equal(toCrew.agent, CREW);
  assert.ok(toCrew.terminal, 'the crew session was started');
  const crewHook = await t.json<HookInfo>(['hook', '--agent', CREW]);
  assert.equal(crewHook.bead?.id, crewBead.id);
  assert.equal((await show(crewBead.id)).status, 'hooked');

  // The Mayor, running: hooked, and told by a nudge (queued for its next idle moment).
  const mayor = await t.json<{ terminal: string }>(['mayor', '--runtime', 'shell']);
  const mayorBead = await t.json<Bead>(['bead', 'create', '--rig', 'deck', '-t', 'for the mayor']);
  const toMayor = await t.json<SlingResult>(['sling', mayorBead.id, 'mayor']);
  assert.equal(toMayor.agent, 'mayor');
  assert.equal(toMayor.terminal, mayor.terminal, 'the running Mayor keeps its session');
  assert.equal((await t.json<HookInfo>(['hook', '--agent', 'mayor'])).bead?.id, mayorBead.id);
  const primed = await t.json<{ text: string }>(['prime', '--agent', 'mayor']);
  assert.match(primed.text, new RegExp(`${mayorBead.id}: for the mayor \\[hooked`));

  // Yourself: as the crew member (its token's identity), `self` and `gt hook BEAD` hook it to you.
  await t.gt(['unsling', crewBead.id]);
  const mine = await t.json<Bead>(['bead', 'create', '--rig', 'deck', '-t', 'mine']);
  const self = await t.json<SlingResult>(['sling', mine.id, 'self'], { GT_AGENT: CREW });
  assert.equal(self.agent, CREW);
  assert.equal((await show(mine.id)).assignee, CREW);
  const other = await t.json<Bead>(['bead', 'create', '--rig', 'deck', '-t', 'also mine']);
  const hooked = await t.json<SlingResult>(['hook', other.id], { GT_AGENT: CREW });
  assert.equal(hooked.agent, CREW);
  assert.equal((await show(other.id)).status, 'hooked');
  // `self` from outside any agent is a clear error that changes nothing.
  const lonely = await t.json<Bead>(['bead', 'create', '--rig', 'deck', '-t', 'nobody']);
  const bad = await t.gt(['sling', lonely.id, 'self']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"self" is the calling agent, and you are overseer/);
  assert.equal((await show(lonely.id)).status, 'open');
  const noCrew = await t.gt(['sling', lonely.id, 'deck/crew/nobody']);
  assert.match(noCrew.stderr, /no crew deck\/crew\/nobody/);
});

test('--force re-slings hooked work; unsling gives it back open and unassigned', async () => {
  const bead = await hanging('moved around');
  const first = await t.json<SlingResult>(['sling', bead.id, 'deck/polecats/dag']);
  assert.equal(first.agent, 'deck/polecats/dag');
  const refused = await t.gt(['sling', bead.id, CREW]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /already hooked by deck\/polecats\/dag \(--force takes it off that hook\)/);
  const moved = await t.json<SlingResult>(['sling', bead.id, CREW, '--force']);
  assert.equal(moved.agent, CREW);
  assert.equal((await show(bead.id)).assignee, CREW);
  const dag = await t.json<AgentInfo>(['agent', 'show', 'deck/polecats/dag']);
  assert.equal(dag.state, 'idle');
  assert.equal(dag.hook, null);
  await waitFor('dag\'s leftover session to stop', async () => (await t.json<AgentInfo>(['agent', 'show', 'deck/polecats/dag'])).session === null, 30_000, 300);

  // Back to a polecat, then unslung: open, unassigned, the polecat idle.
  const again = await t.json<SlingResult>(['sling', bead.id, 'deck', '--force']);
  assert.match(again.agent!, /^deck\/polecats\//);
  const un = await t.json<UnslingResult>(['unsling', bead.id]);
  assert.equal(un.from, again.agent);
  const back = await show(bead.id);
  assert.equal(back.status, 'open');
  assert.equal(back.assignee, null);
  assert.equal((back.metadata as { gt?: { polecat?: string } }).gt?.polecat, undefined);
  assert.equal((await t.json<AgentInfo>(['agent', 'show', again.agent!])).state, 'idle');
  const twice = await t.gt(['unsling', bead.id]);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /is open: it is on no hook/);
});

test('several beads make an auto-convoy titled after the work; a blocked one waits for its blocker to land', async () => {
  // Free the rig: stop the hanging work of the first tests.
  for (const b of await t.json<Bead[]>(['bead', 'list', '--status', 'hooked', '--prefix', 'dk'])) await t.gt(['unsling', b.id]);
  const a = await scriptBead(t, 'deck', 'paint', 'paint.txt', 0);
  const b = await scriptBead(t, 'deck', 'sand', 'sand.txt', 0);
  const c = await scriptBead(t, 'deck', 'varnish', 'varnish.txt', 0);
  assert.equal((await t.gt(['bead', 'dep', 'add', c.id, b.id])).code, 0);
  const r = await t.json<SlingManyResult>(['sling', a.id, b.id, c.id, 'deck']);
  assert.ok(r.convoy);
  assert.equal(r.convoy.title, 'Work: paint, sand, varnish');
  assert.equal(r.convoy.rig, 'deck');
  assert.deepEqual(r.convoy.tracked.map((x) => x.id), [a.id, b.id, c.id]);
  assert.deepEqual(r.results.map((x) => x.outcome), ['hooked', 'hooked', 'queued']);
  assert.match(r.results[2].reason!, new RegExp(`waits for ${b.id}`));
  const landed = await waitFor('the auto-convoy to land', async () => {
    const s = await t.json<ConvoyStatus>(['convoy', 'status', r.convoy!.id]);
    return s.status === 'closed' ? s : null;
  }, 120_000, 300);
  assert.equal(landed.progress.closed, 3);
  const [sb, sc] = [await show(b.id), await show(c.id)];
  assert.ok(Date.parse((sc.metadata as { gt: { slungAt: string } }).gt.slungAt) >= Date.parse(sb.closedAt!), 'varnish slung after sand landed');
  // A bad bead among several: nothing is slung, no convoy is made.
  const d = await scriptBead(t, 'deck', 'oil', 'oil.txt', 0);
  const convoys = (await t.json<ConvoyStatus[]>(['convoy', 'list', '--all'])).length;
  const bad = await t.gt(['sling', d.id, 'dk-zzzzz', 'deck']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no bead dk-zzzzz/);
  assert.equal((await show(d.id)).status, 'open');
  assert.equal((await t.json<ConvoyStatus[]>(['convoy', 'list', '--all'])).length, convoys);
  const toAgent = await t.gt(['sling', d.id, a.id, CREW]);
  assert.match(toAgent.stderr, /several beads go to a rig/);
});
