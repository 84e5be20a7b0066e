// Who may do what: the rule checker (preload/callers.ts) and the rules the contract declares.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allow, callerRole, callerRule, checkCaller, REQUEST_NAMES, TownError, type CallerRule } from '../../preload/contract.ts';

const POLECAT = 'web/polecats/rust';
const OTHER = 'web/polecats/chrome';
const CREW = 'web/crew/ann';

function refusal(rule: CallerRule, actor: string, args: unknown = {}, name = 'someRequest'): TownError | null {
  try {
    checkCaller(name, rule, { actor }, args);
    return null;
  } catch (err) {
    assert.ok(err instanceof TownError);
    return err;
  }
}

test('roles are read from addresses', () => {
  assert.equal(callerRole('overseer'), 'overseer');
  assert.equal(callerRole('mayor'), 'mayor');
  assert.equal(callerRole(CREW), 'crew');
  assert.equal(callerRole(POLECAT), 'polecat');
  for (const odd of ['web', 'web/refinery', 'web/polecats', 'web/polecats/a/b', '/polecats/x', 'web/witness/x']) assert.equal(callerRole(odd), null, odd);
});

test('anyone: every caller', () => {
  for (const actor of ['overseer', 'mayor', CREW, POLECAT, 'web/refinery']) assert.equal(refusal(allow.anyone, actor), null, actor);
});

test('overseer: only the owner, and the refusal says who asked, what, and who may', () => {
  assert.equal(refusal(allow.overseer, 'overseer'), null);
  for (const actor of ['mayor', CREW, POLECAT, 'web/refinery']) {
    const e = refusal(allow.overseer, actor, {}, 'rigRemove');
    assert.equal(e?.code, 'forbidden', actor);
    assert.equal(e?.message, `forbidden: ${actor} may not rigRemove: only the overseer may`);
  }
});

test('roles: the overseer and the roles listed', () => {
  const rule = allow.roles('mayor', 'crew');
  for (const actor of ['overseer', 'mayor', CREW]) assert.equal(refusal(rule, actor), null, actor);
  const e = refusal(rule, POLECAT, { bead: 'wb-abc' }, 'sling');
  assert.equal(e?.code, 'forbidden');
  assert.equal(e?.message, `forbidden: ${POLECAT} may not sling: only the overseer or the mayor or crew may`);
  assert.equal(refusal(rule, 'web/refinery')?.code, 'forbidden', 'an address of no role has no role rights');
});

test('self: an agent names only itself; the overseer and the listed roles name anyone', () => {
  const rule = allow.self('agent', 'mayor');
  assert.equal(refusal(rule, POLECAT, {}), null, 'absent: the caller itself');
  assert.equal(refusal(rule, POLECAT, { agent: POLECAT }), null, 'itself, named');
  assert.equal(refusal(rule, 'overseer', { agent: OTHER }), null);
  assert.equal(refusal(rule, 'mayor', { agent: OTHER }), null);
  const e = refusal(rule, POLECAT, { agent: OTHER, note: 'x' }, 'handoff');
  assert.equal(e?.code, 'forbidden');
  assert.equal(e?.message, `forbidden: ${POLECAT} may not handoff for ${OTHER}: an agent may only name itself as agent; the overseer or the mayor may name any agent`);
  assert.equal(refusal(rule, CREW, { agent: OTHER })?.code, 'forbidden', 'crew is not listed');
  assert.equal(refusal(rule, POLECAT, { agent: 42 })?.message, `forbidden: ${POLECAT} may not someRequest for another agent: an agent may only name itself as agent; the overseer or the mayor may name any agent`, 'a malformed target is refused, not waved through');
  assert.equal(refusal(allow.self('agent'), 'mayor', { agent: OTHER })?.code, 'forbidden', 'no roles listed: only the overseer names others');
});

test('the owner\'s credential may make every request, whatever actor it names', () => {
  for (const rule of [allow.overseer, allow.roles('mayor'), allow.self('agent')]) {
    assert.doesNotThrow(() => checkCaller('x', rule, { actor: POLECAT, owner: true }, { agent: OTHER }));
    assert.throws(() => checkCaller('x', rule, { actor: POLECAT, owner: false }, { agent: OTHER }), /forbidden/);
  }
});

test('every request declares a rule, and the ones that act on other agents are closed to polecats', () => {
  for (const name of REQUEST_NAMES) assert.ok(['anyone', 'overseer', 'roles', 'self'].includes(callerRule(name).kind), name);
  // The holes this rule set closes: an agent handing off or removing another polecat, reading another's mail.
  assert.equal(refusal(callerRule('handoff'), POLECAT, { agent: OTHER }, 'handoff')?.code, 'forbidden');
  assert.equal(refusal(callerRule('polecatRemove'), POLECAT, { agent: OTHER }, 'polecatRemove')?.code, 'forbidden');
  assert.equal(refusal(callerRule('mailInbox'), POLECAT, { agent: OTHER }, 'mailInbox')?.code, 'forbidden');
  assert.equal(refusal(callerRule('terminalWrite'), POLECAT, { id: 't1', data: 'rm -rf /\r' }, 'terminalWrite')?.code, 'forbidden');
  assert.equal(refusal(callerRule('done'), POLECAT, { cwd: '/tmp' }, 'done'), null, 'done acts on the caller only');
});
