// Who may do what, over the real socket: a polecat with its own token asks, for every request whose
// rule closes it to polecats (derived from the contract's rules, not listed by hand), to act on
// another polecat or on the town. Each is refused with a clear `forbidden` error and the ledger, the
// other polecat's session and its worktree are exactly as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { callerRule, REQUEST_NAMES, TownError, type RequestName, type TownClient } from '../../preload/contract.ts';
import type { AgentInfo, HookInfo, RigInfo, SlingResult } from '../../preload/requests/work-types.ts';
import { connectToTown, type SocketClient } from '../../main/cli/socket-client.ts';
import { readSecrets } from '../../main/town/config.ts';
import { townPaths } from '../../main/town/paths.ts';
import { agentToken } from '../../main/town/sessions/agent-token.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig, scriptBead } from './town-work-helpers.ts';

let t: TestTown;
let rig: RigInfo;
let victim: SlingResult;
let intruder: SlingResult;
const open: SocketClient[] = [];

before(async () => {
  t = await startTestTown({ tickMs: 500 });
  rig = await addRig(t, 'web', 'wb', 2);
  // Two working polecats: their scripts sleep, so nothing else writes to the ledger meanwhile.
  victim = await t.json<SlingResult>(['sling', (await scriptBead(t, 'web', 'victim job', 'v.txt', 600)).id, 'web']);
  intruder = await t.json<SlingResult>(['sling', (await scriptBead(t, 'web', 'intruder job', 'i.txt', 600)).id, 'web']);
  assert.equal(victim.outcome, 'hooked');
  assert.equal(intruder.outcome, 'hooked');
  assert.notEqual(victim.agent, intruder.agent);
  // The town finishes starting both sessions (their agent beads take a write or two after the sling);
  // the "nothing changed" below compares against a ledger that has gone quiet.
  const owner = await as('overseer');
  let last = '';
  let same = 0;
  await waitFor('the ledger to go quiet after the slings', async () => {
    const now = (await owner.ledgerExport({})).jsonl;
    same = now === last ? same + 1 : 0;
    last = now;
    return same >= 3;
  }, 60_000, 300);
});
after(async () => {
  for (const c of open) c.close();
  await t?.cleanup();
});

async function as(actor: string): Promise<TownClient> {
  const paths = townPaths(t.dir);
  const owner = readSecrets(paths).apiToken;
  const conn = await connectToTown(paths.socket, agentToken(owner, actor), actor, t.dir);
  open.push(conn);
  return conn.client;
}

/** Requests a polecat may not make against another agent or the town, from the contract's rules. */
function closedToPolecats(): RequestName[] {
  return REQUEST_NAMES.filter((name) => {
    const rule = callerRule(name);
    if (rule.kind === 'anyone') return false;
    return !('roles' in rule && rule.roles.includes('polecat'));
  });
}

test('a polecat cannot act on another agent or the town with its own token: refused, nothing changed', async () => {
  const asIntruder = await as(intruder.agent!);
  const asOverseer = await as('overseer');
  const victimBefore = (await asOverseer.agentShow({ agent: victim.agent! })) as AgentInfo;
  assert.ok(victimBefore.session, 'the victim is running');
  const exportBefore = (await asOverseer.ledgerExport({})).jsonl;

  // Arguments that would do harm if the rule let them through (any request not named gets {}).
  const terminal = victimBefore.session.terminal;
  const harmful: Partial<Record<RequestName, Record<string, unknown>>> = {
    polecatRemove: { force: true },
    handoff: { note: 'taken over' },
    sling: { bead: victimBefore.hook!, target: intruder.agent! },
    rigAdd: { name: 'stolen', source: rig.source },
    rigRemove: { name: rig.name, force: true },
    ledgerImport: { jsonl: '{"id":"wb-evil1","title":"planted","status":"open","issue_type":"task","priority":2}\n' },
    terminalWrite: { id: terminal, data: 'echo pwned\r' },
    terminalClose: { id: terminal },
    terminalAttach: { id: terminal },
    terminalResize: { id: terminal, cols: 10, rows: 5 },
    terminalAck: { id: terminal, bytes: 1 },
    convoyCreate: { name: 'hijack', beads: [victimBefore.hook!] },
    convoyCreateCsv: { name: 'hijack', csv: 'a\n1\n', titleTemplate: '{{a}}' },
    crewAdd: { name: 'eve', rig: rig.name },
    crewStart: { name: 'eve', rig: rig.name },
    crewStop: { name: 'eve', rig: rig.name },
    mqSubmit: { branch: victimBefore.branch!, rig: rig.name },
  };
  const names = closedToPolecats();
  for (const expected of ['handoff', 'polecatRemove', 'mailInbox', 'hook', 'prime', 'terminalWrite', 'rigRemove', 'ledgerImport']) {
    assert.ok(names.includes(expected as RequestName), `${expected} is among the requests closed to polecats`);
  }
  for (const name of names) {
    const rule = callerRule(name);
    const args = { ...harmful[name], ...(rule.kind === 'self' ? { [rule.field]: victim.agent } : {}) };
    const call = (asIntruder as unknown as Record<string, (a: unknown) => Promise<unknown>>)[name];
    await assert.rejects(call(args), (err: unknown) => {
      assert.ok(err instanceof TownError, `${name}: ${String(err)}`);
      assert.equal(err.code, 'forbidden', `${name}: ${err.message}`);
      assert.ok(err.message.startsWith(`forbidden: ${intruder.agent} may not ${name}`), err.message);
      assert.match(err.message, /the overseer/, `${name}: says who may`);
      return true;
    }, name);
  }

  // Nothing changed: the ledger, the victim's session, hook and worktree.
  assert.equal((await asOverseer.ledgerExport({})).jsonl, exportBefore, 'ledger unchanged');
  const victimAfter = (await asOverseer.agentShow({ agent: victim.agent! })) as AgentInfo;
  assert.deepEqual(victimAfter.session, victimBefore.session, 'same session');
  assert.equal(victimAfter.hook, victimBefore.hook);
  assert.ok(existsSync(victimBefore.workdir!), 'worktree still there');

  // The refusal is about the caller: the victim itself, the mayor and the overseer may read its hook.
  const own = (await (await as(victim.agent!)).hook({})) as HookInfo;
  assert.equal(own.bead?.id, victimBefore.hook);
  assert.equal(((await (await as('mayor')).hook({ agent: victim.agent! })) as HookInfo).bead?.id, victimBefore.hook);
  assert.equal(((await asOverseer.hook({ agent: victim.agent! })) as HookInfo).bead?.id, victimBefore.hook);
});

test('gt prints the refusal and exits 1', async () => {
  const owner = readSecrets(townPaths(t.dir)).apiToken;
  const env = { GT_AGENT: intruder.agent!, GT_SOCKET_TOKEN: agentToken(owner, intruder.agent!) };
  const r = await t.gt(['polecat', 'remove', victim.agent!, '--force'], env);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `gt: forbidden: ${intruder.agent} may not polecatRemove: only the overseer or the mayor may\n`);
  const handoff = await t.gt(['handoff', '--agent', victim.agent!, '-m', 'x'], env);
  assert.equal(handoff.code, 1);
  assert.match(handoff.stderr, new RegExp(`^gt: forbidden: ${intruder.agent} may not handoff for ${victim.agent}: an agent may only name itself`));
  const list = await t.json<AgentInfo[]>(['agent', 'list', '--role', 'polecat']);
  assert.ok(list.some((a) => a.id === victim.agent && a.state === 'working'), 'the victim is still at work');
});
