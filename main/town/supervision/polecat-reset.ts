// `gt polecat reset ADDR`: a polecat the Witness gave up on (stuck after its restart cap) is
// brought back without editing beads by hand: its restart count is cleared, it is marked working
// again when work is still on its hook (the Witness then starts a session at once) or idle when
// not. Any polecat may be reset; a healthy one just has its count cleared.
import { TownError } from '../../../preload/contract.ts';
import type { PolecatResetResult } from '../../../preload/requests/supervision-types.ts';
import { parseAddress } from '../polecats/agent-store.ts';
import type { WorkContext } from '../supervisors/work-context.ts';

export async function resetPolecat(c: WorkContext, forget: (address: string) => void, address: string, actor: string): Promise<PolecatResetResult> {
  const addr = parseAddress(address);
  if (!addr || addr.role !== 'polecat') throw new TownError('invalid', `${address} is not a polecat address (<rig>/polecats/<name>)`);
  const agent = await c.agents.find(address);
  if (!agent) throw new TownError('not_found', `no polecat ${address}`);
  return c.locks.run(`rig:${addr.rig}`, async () => {
    const fresh = await c.agents.get(address);
    const held = [...(await c.ledger.list({ status: 'hooked', assignee: address })), ...(await c.ledger.list({ status: 'in_progress', assignee: address }))];
    const hook = held[0]?.id ?? null;
    await c.agents.patch(address, { state: hook ? 'working' : 'idle', hook, respawns: 0 }, actor);
    forget(address);
    const message = `${address} reset by ${actor} (was ${fresh.meta.state}, ${fresh.meta.respawns} restarts)${hook ? `; restarting it on ${hook}` : ''}`;
    c.publish('workEvent', { kind: 'reset', agent: address, bead: hook ?? undefined, rig: addr.rig ?? undefined, message, at: Date.now() });
    c.log(message);
    return { agent: address, was: fresh.meta.state, hook, respawnsCleared: fresh.meta.respawns };
  });
}
