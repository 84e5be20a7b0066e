// Requests of the supervisors: escalations (list, acknowledge, close) and recovering a polecat the
// Witness gave up on.
import { z } from 'zod';
import { BeadIdSchema, request, returns } from '../api-kit.ts';
import { AgentAddress } from './work.ts';
import type { DogInfo, DogRunResult, EscalationInfo, PolecatResetResult, SupervisorHealth } from './supervision-types.ts';

export const supervisionRequests = {
  /** Escalations, newest first; open and acknowledged ones unless `all`. */
  escalationList: request(z.object({ all: z.boolean().default(false) }).strict(), returns<EscalationInfo[]>()),
  /** Seen: it stays open but is not raised again. */
  escalationAck: request(z.object({ id: BeadIdSchema }).strict(), returns<EscalationInfo>()),
  escalationClose: request(z.object({ id: BeadIdSchema, reason: z.string().trim().min(1).max(10_000).optional() }).strict(), returns<EscalationInfo>()),
  /** Clears a polecat's restart count (a stuck one is restarted on its hook). */
  polecatReset: request(z.object({ agent: AgentAddress }).strict(), returns<PolecatResetResult>()),
  /** The supervisors themselves: the Deacon's heartbeat, Boot, one Witness per rig. */
  supervisorHealth: request(z.object({}).strict(), returns<SupervisorHealth>()),
  dogList: request(z.object({}).strict(), returns<DogInfo[]>()),
  /** Runs one dog now (waits for it; a dog already running is joined, not started twice). */
  dogRun: request(z.object({ name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'dog names are lowercase words') }).strict(), returns<DogRunResult>()),
};
