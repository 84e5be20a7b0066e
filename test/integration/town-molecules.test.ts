// Must-show of molecules (docs/molecules.md), on a real headless town (real Dolt, git, PTYs) with
// script agents:
// - polecat work cooked on a bead and slung: its session killed during step 3 resumes at step 3,
//   the molecule finishes, and the ledger shows one close per step;
// - a review convoy: legs in parallel on different polecats, synthesis only after every leg;
// - a human-approval gate blocks until `gt gate approve`;
// - `gt convoy stage` on 8 beads prints the waves, and names a cycle; bad formulas name their line;
// - a scripted Mayor decomposes a goal into beads with dependencies and launches them in waves;
// - `gt convoy stage` stores a staged convoy nobody feeds (`gt convoy status` prints its waves); `gt convoy launch ID` starts it;
// - the steps of a sequential molecule are not ready work, and slinging one is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead, BeadHistoryEntry } from '../../preload/types.ts';
import type { AgentInfo, ConvoyStatus, SlingManyResult, SlingResult } from '../../preload/requests/work-types.ts';
import type { ConvoyLaunchResult, ConvoyPlan, GateInfo, MoleculeStatus } from '../../preload/requests/molecule-types.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig } from './town-work-helpers.ts';

let t: TestTown;
before(async () => {
  t = await startTestTown({ tickMs: 500, respawnBaseMs: 200, runtimes: { roles: { mayor: 'script' } } });
  await addRig(t, 'shop', 'sh', 3);
});
after(async () => t?.cleanup());

const script = (...lines: string[]) => ['```gt-script', ...lines, '```'].join('\n');
/** A TOML multi-line literal string. */
const lit = (text: string) => `'''\n${text}\n'''`;

/** Writes <town>/formulas/NAME.toml. */
function townFormula(name: string, text: string): void {
  mkdirSync(join(t.dir, 'formulas'), { recursive: true });
  writeFileSync(join(t.dir, 'formulas', `${name}.toml`), text);
}

async function closes(id: string): Promise<BeadHistoryEntry[]> {
  const history = await t.json<BeadHistoryEntry[]>(['bead', 'history', id]);
  return history.filter((h) => h.changes.some((c) => c.field === 'status' && c.after === 'closed'));
}

test('polecat work: killed during step 3, it resumes at step 3 and the molecule finishes; one close per step', async () => {
  const log = join(t.base, 'steps.log');
  const mark = join(t.base, 'step3-started');
  // The rig's own mol-polecat-work replaces the built-in one (same steps, scripted).
  const step = (id: string, ...extra: string[]) => [
    '[[steps]]', `id = "${id}"`, `title = "${id} {{issue}}"`,
    `description = ${lit(script(`run echo ${id} >> ${log}`, ...extra, `write notes/${id}.txt ${id}`))}`,
  ].join('\n');
  const formula = [
    'formula = "mol-polecat-work"', 'mode = "sequential"', '[vars.issue]', 'required = true', '',
    step('understand'), step('implement'),
    // Step 3 hangs the first time it runs (its marker is outside the worktree, so it survives the kill).
    step('test', `run if [ ! -e ${mark} ]; then touch ${mark}; sleep 600; fi`),
    step('self-review'), step('done'),
  ].join('\n\n');
  mkdirSync(join(t.dir, 'rigs', 'shop', 'formulas'), { recursive: true });
  writeFileSync(join(t.dir, 'rigs', 'shop', 'formulas', 'mol-polecat-work.toml'), formula);

  const bead = await t.json<Bead>(['bead', 'create', '--rig', 'shop', '-t', 'feature with steps']);
  const mol = await t.json<MoleculeStatus>(['formula', 'cook', 'mol-polecat-work', '--on', bead.id]);
  assert.equal(mol.for, bead.id);
  assert.deepEqual(mol.steps.map((s) => s.step), ['understand', 'implement', 'test', 'self-review', 'done']);
  assert.deepEqual(mol.steps.map((s) => s.id), [1, 2, 3, 4, 5].map((n) => `${mol.id}.${n}`));
  assert.equal(mol.current, `${mol.id}.1`);
  assert.deepEqual(mol.steps.map((s) => s.blocked), [false, true, true, true, true]);
  assert.equal(mol.vars.issue, bead.id, 'the bead it is cooked on fills {{issue}}');

  const slung = await t.json<SlingResult>(['sling', mol.id, 'shop']);
  const agent = slung.agent!;
  assert.equal(slung.bead, bead.id, 'the polecat hooks the work bead');
  await waitFor('step 3 to start', () => existsSync(mark), 120_000, 200);
  const during = await t.json<MoleculeStatus>(['mol', 'status', mol.id]);
  assert.equal(during.current, `${mol.id}.3`);
  assert.equal(during.progress.closed, 2);
  const first = (await t.json<AgentInfo>(['agent', 'show', agent])).session!;
  process.kill(first.pid, 'SIGKILL');
  await waitFor('GUPP to start a new session', async () => {
    const a = await t.json<AgentInfo>(['agent', 'show', agent]);
    return a.session && a.session.terminal !== first.terminal ? a.session : null;
  }, 60_000, 200);

  const done = await waitFor('the molecule to finish', async () => {
    const m = await t.json<MoleculeStatus>(['mol', 'status', mol.id]);
    return m.status === 'closed' ? m : null;
  }, 180_000, 500);
  assert.equal(done.progress.closed, 5);
  // Steps 1 and 2 ran once; step 3 ran twice (killed, then resumed); nothing restarted from the start.
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['understand', 'implement', 'test', 'test', 'self-review', 'done']);
  const stepCommits = new Set<string>();
  for (const s of done.steps) {
    const c = await closes(s.id);
    assert.equal(c.length, 1, `${s.id} (${s.step}) closed in exactly one commit`);
    assert.equal(c[0].author, agent, `${s.step} closed by its polecat`);
    stepCommits.add(c[0].commit);
  }
  assert.equal(stepCommits.size, 5, 'each step\'s completion is its own commit');
  // Cooking: the root and all five steps with their dependencies in one commit.
  const created = async (id: string) => (await t.json<BeadHistoryEntry[]>(['bead', 'history', id])).find((h) => h.kind === 'created')?.commit;
  const cooked = new Set(await Promise.all([mol.id, ...done.steps.map((s) => s.id)].map((id) => created(id))));
  assert.equal(cooked.size, 1, 'the molecule and its steps were written in one commit');
  assert.ok([...cooked][0], 'that commit is in the history');
  // The work bead went to the merge queue with the last step (it closes when it lands).
  const work = await waitFor('the bead to land', async () => {
    const b = await t.json<Bead>(['bead', 'show', bead.id]);
    return b.status === 'closed' ? b : null;
  }, 120_000, 500);
  assert.match(work.closeReason, /landed|merged/);
});

test('review convoy: legs in parallel on different polecats, synthesis only after all legs', async () => {
  const leg = (id: string) => ['[[legs]]', `id = "${id}"`, `title = "review {{target}}: ${id}"`, `description = ${lit(script(`write review/${id}.md ${id} ok`, 'sleep 4'))}`].join('\n');
  const formula = [
    'formula = "review-test"', '[vars.target]', 'default = "main"', '',
    leg('correctness'), leg('security'), leg('tests'), '',
    '[synthesis]', 'title = "synthesize {{target}}"', `description = ${lit(script('write review/SUMMARY.md all legs read'))}`,
  ].join('\n');
  townFormula('review-test', formula);
  // A rig of its own: three free polecats for three legs.
  await addRig(t, 'hall', 'hl', 3);
  const mol = await t.json<MoleculeStatus>(['formula', 'cook', 'review-test', '--rig', 'hall']);
  assert.equal(mol.mode, 'parallel');
  assert.deepEqual(mol.steps.map((s) => s.blocked), [false, false, false, true]);

  const slung = await t.json<SlingManyResult>(['sling', mol.id]);
  assert.ok(slung.convoy, 'a parallel molecule is slung as a convoy');
  const legs = slung.results.slice(0, 3);
  assert.ok(legs.every((r) => r.outcome === 'hooked'), JSON.stringify(slung.results));
  assert.equal(new Set(legs.map((r) => r.agent)).size, 3, 'three legs on three polecats');
  assert.equal(slung.results[3].outcome, 'queued', 'the synthesis waits');

  await waitFor('the review convoy to land', async () => (await t.json<ConvoyStatus>(['convoy', 'status', slung.convoy!.id])).status === 'closed', 240_000, 500);
  const beads = await Promise.all(mol.steps.map((s) => t.json<Bead>(['bead', 'show', s.id])));
  const slungAt = (b: Bead) => Date.parse((b.metadata as { gt: { slungAt: string } }).gt.slungAt);
  const legBeads = beads.slice(0, 3);
  const synthesis = beads[3];
  // In parallel: every leg was on a hook before any leg closed.
  const firstLegClosed = Math.min(...legBeads.map((b) => Date.parse(b.closedAt!)));
  assert.ok(legBeads.every((b) => slungAt(b) < firstLegClosed), 'the legs overlapped');
  assert.ok(slungAt(synthesis) >= Math.max(...legBeads.map((b) => Date.parse(b.closedAt!))), 'synthesis started after every leg closed');
  await waitFor('the molecule to close', async () => (await t.json<MoleculeStatus>(['mol', 'status', mol.id])).status === 'closed', 30_000, 300);
});

test('a human-approval gate blocks until approved', async () => {
  const formula = [
    'formula = "gated"', 'mode = "sequential"',
    '[[steps]]', 'id = "build"', `description = ${lit(script('write built.txt yes'))}`,
    '[[steps]]', 'id = "approve"', 'title = "approve the build"', '[steps.gate]', 'type = "human"',
    '[[steps]]', 'id = "ship"', `description = ${lit(script('write shipped.txt yes'))}`,
  ].join('\n');
  townFormula('gated', formula);
  const mol = await t.json<MoleculeStatus>(['formula', 'cook', 'gated', '--rig', 'shop']);
  assert.ok(mol.for, 'a sequential formula cooked on nothing gets its own work bead');
  const gateId = mol.steps[1].id;
  // Approving before its step before it is done is refused.
  const early = await t.gt(['gate', 'approve', gateId]);
  assert.notEqual(early.code, 0);
  assert.match(early.stderr, /not waiting for approval yet/);

  await t.json<SlingResult>(['sling', mol.id, 'shop']);
  const armed = await waitFor('the gate to be armed', async () => {
    const g = (await t.json<GateInfo[]>(['gate', 'list'])).find((x) => x.id === gateId);
    return g?.state === 'armed' ? g : null;
  }, 120_000, 300);
  assert.equal(armed.type, 'human');
  // It holds: a few patrols later the step after it is still open and the molecule is at the gate.
  await new Promise((r) => setTimeout(r, 3000));
  const held = await t.json<MoleculeStatus>(['mol', 'status', mol.id]);
  assert.equal(held.current, gateId);
  assert.equal(held.steps[2].status, 'open');
  assert.equal(held.steps[2].blocked, true);

  const approved = await t.json<GateInfo>(['gate', 'approve', gateId, '-m', 'looks good']);
  assert.equal(approved.state, 'released');
  assert.match(approved.closeReason, /approved by overseer: looks good/);
  await waitFor('the molecule to finish after approval', async () => (await t.json<MoleculeStatus>(['mol', 'status', mol.id])).status === 'closed', 120_000, 500);
});

test('convoy stage: 8 beads in waves; a cycle is named; bad formulas name their line', async () => {
  const b: Bead[] = [];
  for (let i = 0; i < 8; i++) b.push(await t.json<Bead>(['bead', 'create', '--rig', 'shop', '-t', `plan ${i}`]));
  // 0,1,2 first; 3 after 0; 4 after 1 and 3; 5 after 2; 6 after 4 and 5; 7 after 6.
  const deps: Array<[number, number]> = [[3, 0], [4, 1], [4, 3], [5, 2], [6, 4], [6, 5], [7, 6]];
  for (const [x, y] of deps) assert.equal((await t.gt(['bead', 'dep', 'add', b[x].id, b[y].id])).code, 0);
  const plan = await t.json<ConvoyPlan>(['convoy', 'stage', '--dry-run', ...b.map((x) => x.id)]);
  const waves = plan.waves.map((w) => w.map((x) => b.findIndex((y) => y.id === x.id)).sort());
  assert.deepEqual(waves, [[0, 1, 2], [3, 5], [4], [6], [7]]);
  const printed = await t.gt(['convoy', 'stage', '--dry-run', ...b.map((x) => x.id)]);
  assert.equal(printed.code, 0);
  assert.match(printed.stdout, new RegExp(`Wave 1 \\(3\\):\\n  ${b[0].id}  plan 0`));
  assert.match(printed.stdout, new RegExp(`Wave 5 \\(1\\):\\n  ${b[7].id}  plan 7`));

  // The ledger refuses a blocks edge that closes a cycle, but an imported file (a foreign write)
  // can hold one: the plan names it.
  const ring: Bead[] = [];
  for (let i = 0; i < 3; i++) ring.push(await t.json<Bead>(['bead', 'create', '--rig', 'shop', '-t', `ring ${i}`]));
  assert.equal((await t.gt(['bead', 'dep', 'add', ring[1].id, ring[0].id])).code, 0);
  assert.equal((await t.gt(['bead', 'dep', 'add', ring[2].id, ring[1].id])).code, 0);
  const refused = await t.gt(['bead', 'dep', 'add', ring[0].id, ring[2].id]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /cycle/);
  const exported = await t.gt(['export']);
  assert.equal(exported.code, 0, exported.stderr);
  const line = exported.stdout.split('\n').find((l) => l.includes(`"id":"${ring[0].id}"`))!;
  const row = JSON.parse(line) as { dependencies?: unknown[] };
  row.dependencies = [...(row.dependencies ?? []), { issue_id: ring[0].id, depends_on_id: ring[2].id, type: 'blocks' }];
  const file = join(t.base, 'ring.jsonl');
  writeFileSync(file, JSON.stringify(row) + '\n');
  const imported = await t.gt(['import', file]);
  assert.equal(imported.code, 0, imported.stderr);
  const cyc = await t.gt(['convoy', 'stage', ...ring.map((x) => x.id)]);
  assert.notEqual(cyc.code, 0);
  assert.match(cyc.stderr, /dependencies form a cycle: /);
  for (const r of ring) assert.ok(cyc.stderr.includes(r.id), `the cycle names ${r.id}: ${cyc.stderr}`);

  // Bad formulas: the error names the file and line; a missing variable is named.
  townFormula('broken', ['formula = "broken"', '[[steps]]', 'id = "a"', '[[steps]]', 'id = "b"', 'needs = ["nope"]'].join('\n'));
  const broken = await t.gt(['formula', 'cook', 'broken', '--rig', 'shop']);
  assert.notEqual(broken.code, 0);
  assert.match(broken.stderr, /broken\.toml:6: step b needs "nope"/);
  const missing = await t.gt(['formula', 'cook', 'release', '--rig', 'shop']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /missing required variable version/);
  const list = await t.gt(['formula', 'list']);
  assert.match(list.stdout, /mol-polecat-work/);
  assert.match(list.stdout, /broken .*INVALID/);
  // Nothing was written by the failed cooks.
  const molecules = await t.json<MoleculeStatus[]>(['mol', 'list', '--all']);
  assert.ok(molecules.every((m) => !m.title.startsWith('broken') && !m.title.startsWith('release')));
});

test('a bead has one open molecule; slinging a sequential molecule slings its bead', async () => {
  const bead = await t.json<Bead>(['bead', 'create', '--rig', 'shop', '-t', 'plain built-in work']);
  const mol = await t.json<MoleculeStatus>(['formula', 'cook', 'mol-polecat-work', '--on', bead.id, '--rig', 'shop']);
  assert.equal(mol.steps.length, 5);
  assert.ok(mol.steps[0].title.endsWith(bead.id), 'the bead fills {{issue}}');
  const twice = await t.gt(['formula', 'cook', 'mol-polecat-work', '--on', bead.id]);
  assert.notEqual(twice.code, 0);
  assert.match(twice.stderr, /already has an open molecule/);
  const r = await t.json<SlingResult>(['sling', mol.id]);
  assert.equal(r.bead, bead.id);
});

test('MEOW from the Mayor: a scripted Mayor decomposes a goal into beads and dependencies, stages and launches the waves', async () => {
  await addRig(t, 'yard', 'yd', 2);
  // Each bead writes its own file (so their branches never conflict in the merge queue).
  const plan = [
    'set -e',
    'desc() { printf \'%s\\n\' \'```gt-script\' "write $1.txt $1 done" \'```\'; }',
    'id() { gt bead create --rig yard -t "goal: $1" -d "$(desc $1)" --json | grep -o \'"id": "[^"]*"\' | head -1 | cut -d\'"\' -f4; }',
    'S=$(id schema)', 'A=$(id api)', 'U=$(id ui)', 'D=$(id docs)',
    'gt bead dep add $A $S', 'gt bead dep add $U $S', 'gt bead dep add $D $A', 'gt bead dep add $D $U',
    'gt convoy stage $S $A $U $D > stage.txt',
    'gt convoy launch $S $A $U $D --rig yard --name "Goal: ship the feature"',
  ].join('\\n');
  const goal = await t.json<Bead>(['bead', 'create', '-t', 'Ship the feature', '-d', script(`write plan.sh ${plan}`, 'run sh plan.sh')]);
  const prime = await t.json<{ text: string }>(['prime', '--agent', 'mayor']);
  assert.match(prime.text, /MEOW — decompose a goal/);
  assert.match(prime.text, /gt convoy stage BEAD/);
  assert.match(prime.text, /gt formula list \| show NAME \| cook NAME/);
  const slung = await t.json<SlingResult>(['sling', goal.id, 'mayor']);
  assert.equal(slung.agent, 'mayor');

  const convoy = await waitFor('the Mayor to launch the convoy', async () => {
    const list = await t.json<ConvoyStatus[]>(['convoy', 'list', '--all']);
    return list.find((c) => c.title === 'Goal: ship the feature') ?? null;
  }, 120_000, 500);
  assert.equal(convoy.progress.total, 4);
  assert.equal(convoy.staged, false);
  const tracking = (await t.json<ConvoyStatus[]>(['convoy', 'list', '--all'])).filter((c) => c.tracked.some((x) => x.id === convoy.tracked[0].id));
  assert.deepEqual(tracking.map((c) => c.id), [convoy.id], 'stage then launch of the same beads made one convoy');
  const staged = readFileSync(join(t.dir, 'mayor', 'stage.txt'), 'utf8');
  assert.match(staged, new RegExp(`convoy ${convoy.id} staged: `), 'the staged convoy is the one launched');
  assert.match(staged, /Wave 1 \(1\):\n {2}\S+ {2}goal: schema\nWave 2 \(2\):\n {2}\S+ {2}goal: (api|ui)\n {2}\S+ {2}goal: (api|ui)\nWave 3 \(1\):\n {2}\S+ {2}goal: docs/);
  await waitFor('the goal to be closed by the Mayor', async () => (await t.json<Bead>(['bead', 'show', goal.id])).status === 'closed', 60_000, 500);
  const landed = await waitFor('the convoy to land', async () => {
    const s = await t.json<ConvoyStatus>(['convoy', 'status', convoy.id]);
    return s.status === 'closed' ? s : null;
  }, 240_000, 500);
  // The waves ran in order: docs started only after api and ui closed; they only after schema.
  const byTitle = new Map<string, Bead>();
  for (const x of landed.tracked) byTitle.set(x.title, await t.json<Bead>(['bead', 'show', x.id]));
  const slungAt = (title: string) => Date.parse((byTitle.get(title)!.metadata as { gt: { slungAt: string } }).gt.slungAt);
  const closedAt = (title: string) => Date.parse(byTitle.get(title)!.closedAt!);
  assert.ok(slungAt('goal: api') >= closedAt('goal: schema') && slungAt('goal: ui') >= closedAt('goal: schema'));
  assert.ok(slungAt('goal: docs') >= Math.max(closedAt('goal: api'), closedAt('goal: ui')));
  assert.equal(byTitle.get('goal: schema')!.createdBy, 'mayor', 'the Mayor made the beads');
});

test('gates released by a timer, a command and a bead; an expired timeout escalates once', async () => {
  const flag = join(t.base, 'gate-flag');
  const other = await t.json<Bead>(['bead', 'create', '--rig', 'shop', '-t', 'the bead a gate waits for']);
  const formula = [
    'formula = "gates"', 'mode = "parallel"',
    '[vars.other]', 'required = true',
    '[[steps]]', 'id = "wait"', '[steps.gate]', 'type = "timer"', 'wait = "1s"',
    '[[steps]]', 'id = "check"', '[steps.gate]', 'type = "command"', `command = "test -e ${flag}"`,
    '[[steps]]', 'id = "other"', '[steps.gate]', 'type = "bead"', 'bead = "{{other}}"',
    '[[steps]]', 'id = "sign"', '[steps.gate]', 'type = "human"', 'timeout = "1s"',
    '[[steps]]', 'id = "after"', 'needs = ["wait", "check", "other"]',
  ].join('\n');
  townFormula('gates', formula);
  const mol = await t.json<MoleculeStatus>(['formula', 'cook', 'gates', '--rig', 'shop', '--var', `other=${other.id}`]);
  const [timer, command, bead, human, after] = mol.steps;
  await waitFor('the timer gate to release', async () => (await t.json<Bead>(['bead', 'show', timer.id])).status === 'closed', 60_000, 300);
  assert.match((await t.json<Bead>(['bead', 'show', timer.id])).closeReason, /gate released: timer of 1 s elapsed/);
  // The command fails until the flag exists; the bead gate waits for its bead.
  let gates = await t.json<GateInfo[]>(['gate', 'list']);
  assert.equal(gates.find((g) => g.id === command.id)?.state, 'armed');
  assert.equal(gates.find((g) => g.id === bead.id)?.state, 'armed');
  assert.equal((await t.json<MoleculeStatus>(['mol', 'status', mol.id])).steps[4].blocked, true);
  writeFileSync(flag, 'x');
  await waitFor('the command gate to release', async () => (await t.json<Bead>(['bead', 'show', command.id])).status === 'closed', 60_000, 300);
  assert.equal((await t.gt(['bead', 'close', other.id, '-r', 'done elsewhere'])).code, 0);
  await waitFor('the bead gate to release', async () => (await t.json<Bead>(['bead', 'show', bead.id])).status === 'closed', 60_000, 300);
  const now = await t.json<MoleculeStatus>(['mol', 'status', mol.id]);
  assert.equal(now.steps[4].id, after.id);
  assert.equal(now.steps[4].blocked, false, 'the step after the three gates is ready');
  // The human gate's timeout expired: one escalation, and the gate still waits.
  const escalations = await waitFor('the gate escalation', async () => {
    const list = await t.json<Array<{ id: string; title: string; source: string | null }>>(['escalate', 'list']);
    const mine = list.filter((e) => e.title.includes(human.id));
    return mine.length ? mine : null;
  }, 60_000, 300);
  await new Promise((r) => setTimeout(r, 2000));
  const again = (await t.json<Array<{ title: string }>>(['escalate', 'list'])).filter((e) => e.title.includes(human.id));
  assert.equal(again.length, 1, 'escalated once');
  assert.equal(escalations[0].source, 'gate');
  gates = await t.json<GateInfo[]>(['gate', 'list']);
  assert.equal(gates.find((g) => g.id === human.id)?.state, 'armed');
  // A gate of another kind cannot be approved by hand.
  const wrong = await t.gt(['gate', 'approve', timer.id]);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /already released|condition releases it/);
});

test('convoy stage --epic plans the epic\'s children', async () => {
  const epic = await t.json<Bead>(['bead', 'create', '--rig', 'shop', '-t', 'an epic', '--type', 'epic']);
  const kids: Bead[] = [];
  for (let i = 0; i < 3; i++) kids.push(await t.json<Bead>(['bead', 'create', '-t', `child ${i}`, '--parent', epic.id]));
  assert.equal((await t.gt(['bead', 'dep', 'add', kids[2].id, kids[0].id])).code, 0);
  const plan = await t.json<ConvoyPlan>(['convoy', 'stage', '--dry-run', '--epic', epic.id]);
  assert.deepEqual(plan.waves.map((w) => w.map((x) => x.id).sort()), [[kids[0].id, kids[1].id].sort(), [kids[2].id]]);
  const none = await t.gt(['convoy', 'stage']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /give the beads to plan/);
});

test('convoy stage stores a staged convoy that nothing feeds; gt convoy launch ID starts it', async () => {
  const b: Bead[] = [];
  for (let i = 0; i < 3; i++) b.push(await t.json<Bead>(['bead', 'create', '--rig', 'shop', '-t', `staged ${i}`]));
  assert.equal((await t.gt(['bead', 'dep', 'add', b[1].id, b[0].id])).code, 0);
  assert.equal((await t.gt(['bead', 'dep', 'add', b[2].id, b[1].id])).code, 0);
  const staged = await t.json<ConvoyLaunchResult>(['convoy', 'stage', ...b.map((x) => x.id), '--name', 'staged three']);
  assert.deepEqual(staged.plan.waves.map((w) => w.map((x) => x.id)), [[b[0].id], [b[1].id], [b[2].id]]);
  assert.equal(staged.convoy.staged, true);
  assert.equal(staged.convoy.status, 'deferred');
  assert.equal(staged.convoy.title, 'staged three');
  assert.deepEqual(staged.convoy.tracked.map((x) => x.id), b.map((x) => x.id), 'tracked in wave order');
  const printed = await t.gt(['convoy', 'list']);
  assert.match(printed.stdout, new RegExp(`${staged.convoy.id} {2}\\[staged\\] staged three`));
  const status = await t.gt(['convoy', 'status', staged.convoy.id]);
  assert.match(status.stdout, new RegExp(`Wave 1 \\(1\\):\\n {2}${b[0].id} .*\\nWave 2 \\(1\\):\\n {2}${b[1].id} .*\\nWave 3 \\(1\\):\\n {2}${b[2].id} `), 'gt convoy status prints a staged convoy\'s waves');
  assert.match(status.stdout, new RegExp(`gt convoy launch ${staged.convoy.id}`));
  // Staging the same beads again keeps one staged convoy.
  const again = await t.json<ConvoyLaunchResult>(['convoy', 'stage', ...b.map((x) => x.id)]);
  assert.equal(again.convoy.id, staged.convoy.id);
  assert.equal((await t.json<ConvoyStatus[]>(['convoy', 'list'])).filter((c) => c.tracked.some((x) => x.id === b[0].id)).length, 1);
  // The feeder leaves it alone: several patrols (tickMs 500) later, wave 1 is still open and unassigned.
  await new Promise((r) => setTimeout(r, 3000));
  const waiting = await t.json<Bead>(['bead', 'show', b[0].id]);
  assert.equal(waiting.status, 'open');
  assert.equal(waiting.assignee, null);

  const launched = await t.json<ConvoyLaunchResult>(['convoy', 'launch', staged.convoy.id]);
  assert.equal(launched.convoy.id, staged.convoy.id);
  assert.equal(launched.convoy.staged, false);
  assert.equal(launched.convoy.status, 'open');
  assert.deepEqual(launched.plan.waves.map((w) => w.map((x) => x.id)), [[b[0].id], [b[1].id], [b[2].id]]);
  await waitFor('the feeder to sling wave 1', async () => {
    const first = await t.json<Bead>(['bead', 'show', b[0].id]);
    return first.status !== 'open' ? first : null;
  }, 60_000, 300);
  assert.equal((await t.json<Bead>(['bead', 'show', b[2].id])).status, 'open', 'wave 3 waits');
  const twice = await t.gt(['convoy', 'launch', staged.convoy.id]);
  assert.notEqual(twice.code, 0);
  assert.match(twice.stderr, /is not a staged convoy/);
});

test('the steps of a sequential molecule are not ready work; slinging one by hand is refused', async () => {
  townFormula('in-order', ['formula = "in-order"', 'mode = "sequential"', '[[steps]]', 'id = "one"', '[[steps]]', 'id = "two"'].join('\n'));
  townFormula('side-by-side', ['formula = "side-by-side"', 'mode = "parallel"', '[[steps]]', 'id = "left"', '[[steps]]', 'id = "right"'].join('\n'));
  const work = await t.json<Bead>(['bead', 'create', '--rig', 'shop', '-t', 'walked in order', '--priority', '0']);
  const seq = await t.json<MoleculeStatus>(['formula', 'cook', 'in-order', '--on', work.id]);
  const par = await t.json<MoleculeStatus>(['formula', 'cook', 'side-by-side', '--rig', 'shop']);
  const ready = (await t.json<Bead[]>(['bead', 'ready', '--limit', '1000'])).map((x) => x.id);
  assert.ok(ready.includes(work.id), 'the work bead is ready');
  for (const s of seq.steps) assert.ok(!ready.includes(s.id), `${s.id}, a sequential step, is not ready`);
  for (const s of par.steps) assert.ok(ready.includes(s.id), `${s.id}, a parallel step, is ready`);
  // Refused alone, among several, to an agent, and in a convoy; nothing is written.
  const first = seq.steps[0].id;
  const alone = await t.gt(['sling', first]);
  assert.notEqual(alone.code, 0);
  assert.match(alone.stderr, new RegExp(`${first.replace('.', '\\.')} is a step of the sequential molecule ${seq.id}.*gt mol next.*gt sling ${seq.id}`));
  const several = await t.gt(['sling', par.steps[0].id, first, 'shop']);
  assert.notEqual(several.code, 0);
  assert.match(several.stderr, /sequential molecule/);
  assert.equal((await t.json<Bead>(['bead', 'show', par.steps[0].id])).status, 'open', 'the other bead was not slung');
  const mayor = await t.gt(['sling', first, 'mayor']);
  assert.notEqual(mayor.code, 0);
  assert.match(mayor.stderr, /sequential molecule/);
  const convoy = await t.gt(['convoy', 'create', 'steps', first]);
  assert.notEqual(convoy.code, 0);
  assert.match(convoy.stderr, /sequential molecule/);
  const step = await t.json<Bead>(['bead', 'show', first]);
  assert.equal(step.status, 'open');
  assert.equal(step.assignee, null);
});
