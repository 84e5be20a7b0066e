// Requests of the supervisors: escalations (list, acknowledge, close) and recovering a polecat the
// Witness gave up on.
import { z } from 'zod';
import { allow, BeadIdSchema, request, returns } from '../api-kit.ts';
import { AgentAddress } from './work.ts';
import type { DogInfo, DogRunResult, EscalationInfo, PolecatResetResult, SupervisorHealth } from './supervision-types.ts';

export const supervisionRequests = {
  /** Escalations, newest first; open and acknowledged ones unless `all`. */
  escalationList: request(z.object({ all: z.boolean().default(false) }).strict(), returns<EscalationInfo[]>(), allow.anyone),
  /** Seen: it stays open but is not raised again. */
  escalationAck: request(z.object({ id: BeadIdSchema }).strict(), returns<EscalationInfo>(), allow.roles('mayor')),
  escalationClose: request(z.object({ id: BeadIdSchema, reason: z.string().trim().min(1).max(10_000).optional() }).strict(), returns<EscalationInfo>(), allow.roles('mayor')),
  /** Clears a polecat's restart count (a stuck one is restarted on its hook). */
  polecatReset: request(z.object({ agent: AgentAddress }).strict(), returns<PolecatResetResult>(), allow.roles('mayor')),
  /** The supervisors themselves: the Deacon's heartbeat, Boot, one Witness per rig. */
  supervisorHealth: request(z.object({}).strict(), returns<SupervisorHealth>(), allow.anyone),
  dogList: request(z.object({}).strict(), returns<DogInfo[]>(), allow.anyone),
  /** Runs one dog now (waits for it; a dog already running is joined, not started twice). */
  dogRun: request(z.object({ name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'dog names are lowercase words') }).strict(), returns<DogRunResult>(), allow.roles('mayor')),
};
