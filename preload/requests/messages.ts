// Requests between agents and the user: mail (durable), nudges (ephemeral), escalations.
import { z } from 'zod';
import { ESCALATION_SEVERITIES, type MailMessage, type NudgeResult } from './work-types.ts';
import { allow, BeadIdSchema, request, returns } from '../api-kit.ts';
import { AgentAddress } from './work.ts';
import { RigName, RuntimeName } from './rigs.ts';
import type { AgentInfo } from './work-types.ts';

const Subject = z.string().trim().min(1, 'subject must not be empty').max(500);
const Body = z.string().max(1_000_000);

export const messageRequests = {
  mailSend: request(z.object({ to: AgentAddress, subject: Subject, body: Body.default('') }).strict(), returns<MailMessage>(), allow.anyone),
  /** The caller's mail and escalations addressed to it, newest first; unread only unless `all`. */
  mailInbox: request(z.object({ all: z.boolean().default(false), agent: AgentAddress.optional() }).strict(), returns<MailMessage[]>(), allow.self('agent')),
  /** Reads (and marks read) one message addressed to the caller. */
  mailRead: request(z.object({ id: BeadIdSchema }).strict(), returns<MailMessage>(), allow.anyone),
  mailReply: request(z.object({ id: BeadIdSchema, body: Body.default(''), subject: Subject.optional() }).strict(), returns<MailMessage>(), allow.anyone),
  /** Queues a short message for the agent's terminal, typed (in order) once the agent is idle or
   *  waiting; waits up to `timeoutMs` for the delivery to be confirmed, else answers `queued`. */
  nudge: request(z.object({ agent: AgentAddress, message: z.string().trim().min(1, 'nudge message must not be empty').max(2000), timeoutMs: z.number().int().min(0).max(600_000).default(60_000) }).strict(), returns<NudgeResult>(), allow.anyone),
  escalate: request(z.object({ severity: z.enum(ESCALATION_SEVERITIES).default('medium'), message: z.string().trim().min(1, 'say what is wrong').max(100_000) }).strict(), returns<MailMessage>(), allow.anyone),
  /** Starts the Mayor's session (or returns the running one). */
  mayorStart: request(z.object({ runtime: RuntimeName.optional() }).strict(), returns<{ agent: string; terminal: string; started: boolean }>(), allow.overseer),
  crewAdd: request(z.object({ name: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'crew names are lowercase letters, digits, _ and -'), rig: RigName }).strict(), returns<AgentInfo>(), allow.roles('mayor')),
  crewStart: request(z.object({ name: z.string().min(1).max(40), rig: RigName, runtime: RuntimeName.optional() }).strict(), returns<{ agent: string; terminal: string; started: boolean }>(), allow.roles('mayor')),
  crewStop: request(z.object({ name: z.string().min(1).max(40), rig: RigName }).strict(), returns<{ agent: string; stopped: boolean }>(), allow.roles('mayor')),
  crewList: request(z.object({ rig: RigName.optional() }).strict(), returns<AgentInfo[]>(), allow.anyone),
};
