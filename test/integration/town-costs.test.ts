// Must-show (cost and controls): script agents on a convoy write usage in Claude Code's format and
// `gt costs --by agent --json` matches the sum of their records to the token, and in dollars by the
// price table; the meters (the UI's source) say the same. A convoy budget warns at 80% and stops
// dispatch at 100% (`gt sling` says why) until raised. `gt estop` freezes every process of 4
// working agents (state T) and starts nothing; `gt resume` lets them finish; a town killed and
// restarted during the stop comes back stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, ConvoyStatus, MailMessage, SlingResult } from '../../preload/requests/work-types.ts';
import type { BudgetStatus, ControlsState, CostMeters, CostReport } from '../../preload/requests/cost-types.ts';
import { collectTree } from '../../main/pty-host/process-tree.ts';
import { connectToTown } from '../../main/cli/socket-client.ts';
import { readSecrets } from '../../main/town/config.ts';
import { townPaths } from '../../main/town/paths.ts';
import { startTown, alive } from '../helpers/gt.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig } from './town-work-helpers.ts';

let t: TestTown;
before(async () => {
  t = await startTestTown({ tickMs: 500 });
});
after(async () => t?.cleanup());

const SONNET = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };

async function bead(rig: string, title: string, steps: string[]): Promise<Bead> {
  return t.json<Bead>(['bead', 'create', '--rig', rig, '-t', title, '-d', ['```gt-script', ...steps, '```'].join('\n')]);
}

async function waitLanded(id: string, ms = 180_000): Promise<ConvoyStatus> {
  return waitFor(`convoy ${id} to land`, async () => {
    const s = await t.json<ConvoyStatus>(['convoy', 'status', id]);
    return s.status === 'closed' ? s : null;
  }, ms, 300);
}

/** Every call the script agents wrote, read independently of the app: deduplicated by message id + request id. */
function scriptCalls(): Array<{ cwd: string; model: string; input: number; output: number; cacheWrite: number; cacheRead: number }> {
  const root = join(t.dir, 'costs', 'script-usage', 'projects');
  const seen = new Set<string>();
  const calls = [];
  for (const project of readdirSync(root)) {
    for (const f of readdirSync(join(root, project))) {
      for (const line of readFileSync(join(root, project, f), 'utf8').split('\n')) {
        if (!line) continue;
        const row = JSON.parse(line) as { type: string; cwd: string; requestId?: string; message: { id?: string; model?: string; usage?: Record<string, number> } };
        if (row.type !== 'assistant' || !row.message.usage) continue;
        const key = `${row.message.id}:${row.requestId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const u = row.message.usage;
        calls.push({ cwd: row.cwd, model: row.message.model!, input: u.input_tokens, output: u.output_tokens, cacheWrite: u.cache_creation_input_tokens, cacheRead: u.cache_read_input_tokens });
      }
    }
  }
  return calls;
}

async function callTown<T>(fn: (c: Awaited<ReturnType<typeof connectToTown>>['client']) => Promise<T>): Promise<T> {
  const paths = townPaths(t.dir);
  const conn = await connectToTown(paths.socket, readSecrets(paths).apiToken, 'overseer', t.dir);
  try {
    return await fn(conn.client);
  } finally {
    conn.close();
  }
}

test('script agents on a convoy: gt costs --by agent matches their records to the token, dollars by the price table; meters agree', async () => {
  await addRig(t, 'ledger', 'lg', 2);
  // The UI's view of every bead's cost follows the costMeters events' changed beads.
  const paths = townPaths(t.dir);
  const listener = await connectToTown(paths.socket, readSecrets(paths).apiToken, 'overseer', t.dir);
  const beadCosts = new Map<string, number>();
  let withBeads = 0;
  listener.client.on('costMeters', (m) => { if (m.beads?.length) withBeads++; for (const r of m.beads ?? []) beadCosts.set(r.key, r.cost); });
  await listener.client.townStatus({});
  const beads: Bead[] = [];
  for (let i = 0; i < 4; i++) beads.push(await bead('ledger', `costed ${i}`, [`write c${i}.txt costed ${i}\\n`, 'output 20', ...(i === 3 ? ['usage 1000 10 0 0 mystery-model-x'] : []), 'sleep 1']));
  const convoy = await t.json<ConvoyStatus>(['convoy', 'create', 'costed', ...beads.map((b) => b.id), '--rig', 'ledger']);
  await waitLanded(convoy.id);

  const calls = scriptCalls();
  const priced = calls.filter((c) => c.model !== 'mystery-model-x');
  assert.equal(priced.length, 4 * 3, 'every step of every bead is one call');
  const agents = await t.json<AgentInfo[]>(['agent', 'list', '--rig', 'ledger']);
  const agentOfCwd = new Map(agents.map((a) => [realpathSync(a.workdir!), a.id]));
  const expected = new Map<string, { input: number; output: number; cacheWrite: number; cacheRead: number; cost: number }>();
  for (const c of calls) {
    const agent = agentOfCwd.get(c.cwd);
    assert.ok(agent, `the call's directory ${c.cwd} is a polecat's worktree`);
    const e = expected.get(agent) ?? { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, cost: 0 };
    e.input += c.input;
    e.output += c.output;
    e.cacheWrite += c.cacheWrite;
    e.cacheRead += c.cacheRead;
    if (c.model !== 'mystery-model-x') e.cost += (c.input * SONNET.input + c.output * SONNET.output + c.cacheWrite * SONNET.cacheWrite + c.cacheRead * SONNET.cacheRead) / 1e6;
    expected.set(agent, e);
  }

  const report = await t.json<CostReport>(['costs', '--by', 'agent']);
  assert.equal(report.rows.length, expected.size);
  for (const row of report.rows) {
    const e = expected.get(row.key)!;
    assert.ok(e, `${row.key} is one of the agents that wrote usage`);
    assert.deepEqual({ input: row.input, output: row.output, cacheWrite: row.cacheWrite, cacheRead: row.cacheRead }, { input: e.input, output: e.output, cacheWrite: e.cacheWrite, cacheRead: e.cacheRead }, `${row.key}: tokens exactly`);
    assert.ok(Math.abs(row.cost - e.cost) < 1e-5, `${row.key}: $${row.cost} = $${e.cost} by the price table`);
  }
  assert.equal(report.total.calls, calls.length, 'each call counted once (the script writes every call twice, like Claude Code)');
  assert.equal(report.total.unpricedTokens, 1010, 'the unknown model is counted in tokens…');
  assert.deepEqual(report.total.unpricedModels, ['mystery-model-x'], '…and named as price unknown, not $0');
  const human = await t.gt(['costs']);
  assert.match(human.stdout, /price unknown \(mystery-model-x\)/);

  // Per bead and per convoy: the same money, attributed to the work.
  const byBead = await t.json<CostReport>(['costs', '--by', 'bead']);
  assert.deepEqual(byBead.rows.map((r) => r.key).sort(), beads.map((b) => b.id).sort());
  const byConvoy = await t.json<CostReport>(['costs', '--by', 'convoy']);
  assert.equal(byConvoy.rows.length, 1);
  assert.equal(byConvoy.rows[0].key, convoy.id);
  assert.ok(Math.abs(byConvoy.rows[0].cost - report.total.cost) < 1e-6);
  const byRig = await t.json<CostReport>(['costs', '--by', 'rig']);
  assert.deepEqual(byRig.rows.map((r) => [r.key, r.input]), [['ledger', report.total.input]]);

  // The meters the UI shows come from the same store.
  const meters = await callTown((c) => c.costMeters({}));
  assert.equal(meters.total.cost, report.total.cost);
  for (const a of meters.agents) assert.equal(a.total.cost, report.rows.find((r) => r.key === a.agent)!.cost);
  assert.ok(meters.burn60 > 0, 'a town that just spent has a burn rate');
  const beadCost = await callTown((c) => c.costOf({ scope: 'bead', id: beads[0].id }));
  assert.equal(beadCost.total.cost, byBead.rows.find((r) => r.key === beads[0].id)!.cost);
  listener.close();
  assert.ok(withBeads > 0, 'costMeters events carried changed beads');
  assert.deepEqual(new Map([...beadCosts].sort()), new Map(byBead.rows.map((r) => [r.key, r.cost] as [string, number]).sort()), "the events' latest cost of each bead is the report's");

  // Stored: a restart changes nothing (and reads nothing twice).
  await t.restart();
  const again = await t.json<CostReport>(['costs', '--by', 'agent']);
  assert.deepEqual(again.rows, report.rows);
});

test('convoy budget: warning at 80% in the inbox, next bead held at 100% (gt sling says why), raising it dispatches', async () => {
  await addRig(t, 'budget', 'bg', 1);
  // Each bead spends $1.00 of claude-haiku-4-5 input plus a few cents of scripted steps.
  const beads: Bead[] = [];
  for (let i = 0; i < 4; i++) beads.push(await bead('budget', `spend ${i}`, ['usage 1000000 0 0 0 claude-haiku-4-5', `write s${i}.txt spent\\n`, 'sleep 1']));
  for (let i = 1; i < 4; i++) await t.gt(['bead', 'dep', 'add', beads[i].id, beads[i - 1].id]);
  const convoy = await t.json<ConvoyStatus>(['convoy', 'create', 'spender', ...beads.map((b) => b.id), '--rig', 'budget']);
  const set = await t.json<BudgetStatus>(['budget', 'set', 'convoy', convoy.id, '2.5']);
  assert.equal(set.id, `convoy:${convoy.id}:total`);

  const held = await waitFor('the budget to stop the convoy', async () => {
    const s = await t.json<ConvoyStatus>(['convoy', 'status', convoy.id]);
    const closed = s.tracked.filter((x) => x.status === 'closed').length;
    const list = await t.json<BudgetStatus[]>(['budget', 'list']);
    return closed === 3 && list[0].state === 'exceeded' ? { s, budget: list[0] } : null;
  }, 180_000, 300);
  assert.ok(held.budget.spent >= 3 && held.budget.spent < 3.2, `spent $${held.budget.spent}`);
  const inbox = await t.json<MailMessage[]>(['mail', 'inbox']);
  assert.ok(inbox.some((m) => /Budget warning/.test(m.subject) && m.body.includes(convoy.id)), 'an 80% warning reached the inbox');
  assert.ok(inbox.some((m) => /Budget reached/.test(m.subject)), 'and the 100% notice');
  // The last bead is ready but not dispatched, however long we wait.
  await new Promise((r) => setTimeout(r, 3000));
  const last = await t.json<Bead>(['bead', 'show', beads[3].id]);
  assert.equal(last.status, 'open');
  assert.equal(last.assignee, null);
  const sling = await t.json<SlingResult>(['sling', beads[3].id]);
  assert.equal(sling.outcome, 'queued');
  assert.match(sling.reason ?? '', new RegExp(`budget convoy:${convoy.id}:total reached`));

  await t.json<BudgetStatus>(['budget', 'set', 'convoy', convoy.id, '10']);
  const landed = await waitLanded(convoy.id, 120_000);
  assert.equal(landed.progress.closed, 4);
});

function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return null;
  }
}

test('gt estop freezes every process of 4 working agents, starts nothing; gt resume finishes them; a restart in e-stop stays stopped', { skip: process.platform !== 'linux' ? 'reads process states from /proc' : false }, async () => {
  await addRig(t, 'frost', 'fr', 4);
  const beads: Bead[] = [];
  for (let i = 0; i < 4; i++) beads.push(await bead('frost', `tick ${i}`, [`run for i in $(seq 1 40); do echo tick $i >> ticks${i}.log; sleep 0.25; done`, `write done${i}.txt done\\n`]));
  const convoy = await t.json<ConvoyStatus>(['convoy', 'create', 'ticking', ...beads.map((b) => b.id), '--rig', 'frost']);
  const working = await waitFor('4 agents mid-work', async () => {
    const agents = (await t.json<AgentInfo[]>(['agent', 'list', '--rig', 'frost'])).filter((a) => a.state === 'working' && a.session);
    if (agents.length < 4) return null;
    return agents.every((a) => existsSync(join(a.workdir!, `ticks${beads.findIndex((b) => b.id === a.hook)}.log`))) ? agents : null;
  }, 60_000, 200);

  const stopped = await t.json<ControlsState & { frozen: number }>(['estop']);
  assert.ok(stopped.estop);
  const trees = working.map((a) => collectTree(a.session!.pid));
  assert.ok(trees.every((tree) => tree.length >= 3), 'each agent has a tree (leader, script, its command)');
  await waitFor('every process stopped', () => trees.every((tree) => tree.every((p) => procState(p) === 'T' || procState(p) === null)), 5_000, 100);
  const lengths = working.map((a) => readFileSync(join(a.workdir!, `ticks${beads.findIndex((b) => b.id === a.hook)}.log`), 'utf8').length);
  await new Promise((r) => setTimeout(r, 1500));
  working.forEach((a, k) => assert.equal(readFileSync(join(a.workdir!, `ticks${beads.findIndex((b) => b.id === a.hook)}.log`), 'utf8').length, lengths[k], `${a.id} did nothing while frozen`));
  // Nothing new starts: a sling waits, with the e-stop as its reason.
  const extra = await bead('frost', 'extra', ['write extra.txt x\\n']);
  const sling = await t.json<SlingResult>(['sling', extra.id]);
  assert.equal(sling.outcome, 'queued');
  assert.match(sling.reason ?? '', /e-stop/);
  const meters = await callTown((c) => c.controlsStatus({}));
  assert.ok(meters.estop, 'the controls (the UI\'s source) say so');

  const resumed = await t.json<ControlsState & { resumed: number }>(['resume']);
  assert.equal(resumed.estop, null);
  assert.ok(resumed.resumed >= stopped.frozen - 4, `continued ${resumed.resumed} of ${stopped.frozen}`);
  const landed = await waitLanded(convoy.id, 120_000);
  assert.equal(landed.progress.closed, 4, 'they continued and finished');
  await waitFor('the queued bead to be done', async () => (await t.json<Bead>(['bead', 'show', extra.id])).status === 'closed', 60_000, 300);

  // Killed in e-stop, restarted: still stopped; nothing starts until gt resume.
  await t.json(['estop']);
  const late = await bead('frost', 'late', ['write late.txt x\\n']);
  const pid = t.town.proc.pid!;
  t.town.proc.kill('SIGKILL');
  await new Promise((r) => t.town.proc.once('exit', r));
  assert.ok(!alive(pid));
  t.town = await startTown(t.dir);
  const after = await t.json<ControlsState>(['controls']);
  assert.ok(after.estop, 'the restarted town is in e-stop');
  const lateSling = await t.json<SlingResult>(['sling', late.id]);
  assert.equal(lateSling.outcome, 'queued');
  await new Promise((r) => setTimeout(r, 2500));
  assert.ok((await t.json<AgentInfo[]>(['agent', 'list', '--rig', 'frost'])).every((a) => !a.session), 'no session started during the stop');
  await t.json(['resume']);
  await waitFor('the late bead to be done after resume', async () => (await t.json<Bead>(['bead', 'show', late.id])).status === 'closed', 90_000, 300);
});

test('gt rig park holds new work for one rig; unpark dispatches it', async () => {
  await t.json(['rig', 'park', 'ledger']);
  const b = await bead('ledger', 'parked', ['write parked.txt x\\n']);
  const s = await t.json<SlingResult>(['sling', b.id]);
  assert.equal(s.outcome, 'queued');
  assert.match(s.reason ?? '', /rig ledger is parked/);
  const c = await t.json<ControlsState>(['controls']);
  assert.deepEqual(c.parkedRigs, ['ledger']);
  await t.json(['rig', 'unpark', 'ledger']);
  await waitFor('the parked bead to be done', async () => (await t.json<Bead>(['bead', 'show', b.id])).status === 'closed', 60_000, 300);
  const bad = await t.gt(['budget', 'set', 'rig', 'nosuchrig', '5']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /nosuchrig/);
  const m: CostMeters = await callTown((cl) => cl.costMeters({}));
  assert.deepEqual(m.controls.parkedRigs, []);
  const muted = await t.json<ControlsState>(['dnd', '30']);
  assert.ok(muted.dndUntil! > Date.now() + 29 * 60_000, 'notifications muted for 30 minutes');
  assert.equal((await t.json<ControlsState>(['dnd', 'off'])).dndUntil, null);
});

test('with pauseAgentsOnBudget, a rig budget reached freezes the rig\'s running agent; raising it lets it finish', { skip: process.platform !== 'linux' ? 'reads process states from /proc' : false }, async () => {
  mkdirSync(join(t.dir, 'settings'), { recursive: true });
  writeFileSync(join(t.dir, 'settings', 'costs.json'), JSON.stringify({ pauseAgentsOnBudget: true, pollMs: 500 }));
  await t.restart();
  await addRig(t, 'pause', 'pz', 1);
  await t.json<BudgetStatus>(['budget', 'set', 'rig', 'pause', '0.5']);
  const b = await bead('pause', 'spends then ticks', ['usage 1000000 0 0 0 claude-haiku-4-5', 'run for i in $(seq 1 30); do echo tick >> ticks.log; sleep 0.2; done', 'write paused.txt x\\n']);
  await t.json<SlingResult>(['sling', b.id]);
  const agent = await waitFor('the agent to be paused by the budget', async () => {
    const c = await t.json<ControlsState>(['controls']);
    if (!c.budgetPaused.includes('rig:pause:total')) return null;
    return (await t.json<AgentInfo[]>(['agent', 'list', '--rig', 'pause'])).find((a) => a.session) ?? null;
  }, 60_000, 300);
  const tree = collectTree(agent.session!.pid);
  await waitFor('its processes stopped', () => tree.every((p) => procState(p) === 'T' || procState(p) === null), 5_000, 100);
  assert.equal((await t.json<Bead>(['bead', 'show', b.id])).status !== 'closed', true);
  await t.json<BudgetStatus>(['budget', 'set', 'rig', 'pause', '5']);
  await waitFor('the bead to finish after the raise', async () => (await t.json<Bead>(['bead', 'show', b.id])).status === 'closed', 60_000, 300);
  assert.deepEqual((await t.json<ControlsState>(['controls'])).budgetPaused, []);
});
