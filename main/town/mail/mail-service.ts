// Mail: durable messages between agents and the user, as beads of type `message` addressed by
// assignee (read = closed, as in Gas Town). Escalations are beads of type `escalation` addressed to
// the overseer; they arrive in the same inbox.
import { TownError } from '../../../preload/contract.ts';
import type { Bead } from '../../../preload/types.ts';
import type { EscalationSeverity, MailMessage } from '../../../preload/requests/work-types.ts';
import { MAYOR, parseAddress } from '../polecats/agent-store.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import { Escalations } from '../supervision/escalations.ts';
import { NOT_CLOSED } from '../bead-mirror.ts';

export const MESSAGE_LABEL = 'gt:message';
export const ESCALATION_LABEL = 'gt:escalation';
export const OVERSEER = 'overseer';

export function beadToMail(b: Bead): MailMessage {
  const m = b.metadata as { from?: string; to?: string; replyTo?: string; severity?: EscalationSeverity };
  return {
    id: b.id, from: m.from ?? b.createdBy, to: m.to ?? b.assignee ?? '', subject: b.title, body: b.description,
    kind: b.type === 'escalation' ? 'escalation' : 'message', read: b.status === 'closed', replyTo: m.replyTo ?? null,
    severity: m.severity ?? null, createdAt: b.createdAt,
  };
}

export class MailService {
  constructor(private readonly c: WorkContext) {}

  /** The overseer, the Mayor, and every agent with a bead can receive mail. */
  private async checkRecipient(to: string): Promise<void> {
    if (to === OVERSEER || to === MAYOR) return;
    if (!parseAddress(to)) throw new TownError('invalid', `bad address ${to}: use overseer, mayor, <rig>/polecats/<name> or <rig>/crew/<name>`);
    if (!(await this.c.agents.find(to))) throw new TownError('not_found', `no agent ${to} to send mail to`);
  }

  async send(to: string, subject: string, body: string, from: string, replyTo?: string): Promise<MailMessage> {
    await this.checkRecipient(to);
    const bead = await this.c.ledger.create({
      title: subject, description: body, type: 'message', prefix: this.c.townPrefix, assignee: to,
      labels: [MESSAGE_LABEL, `from:${from}`.slice(0, 255)],
      metadata: { from, to, ...(replyTo ? { replyTo } : {}) },
    }, from);
    return beadToMail(bead);
  }

  /** The agent's messages and escalations, newest first; unread only unless `all`. One ledger read
   *  (every `gt prime` and every mail hook of a session asks it). */
  async inbox(agent: string, all: boolean): Promise<MailMessage[]> {
    const mail = await this.c.ledger.list({ types: ['message', 'escalation'], assignee: agent, ...(all ? {} : { statuses: NOT_CLOSED }) });
    return mail
      .map(beadToMail)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  async read(id: string, reader: string): Promise<MailMessage> {
    const b = await this.mustMail(id, reader);
    if (b.status === 'closed') return beadToMail(b);
    return beadToMail(await this.c.ledger.closeBead(id, 'read', reader));
  }

  async reply(id: string, body: string, subject: string | undefined, from: string): Promise<MailMessage> {
    const original = beadToMail(await this.mustMail(id, from));
    const re = subject ?? (/^re:/i.test(original.subject) ? original.subject : `Re: ${original.subject}`);
    return this.send(original.from, re.slice(0, 500), body, from, id);
  }

  /** An agent's (or the overseer's) `gt escalate`: through the town's one escalation path. */
  async escalate(severity: EscalationSeverity, message: string, from: string): Promise<MailMessage> {
    return new Escalations(this.c).raise({ severity, message, from, source: from === OVERSEER ? 'overseer' : 'agent' });
  }

  /** A message or escalation addressed to the reader (the overseer may read every escalation). */
  private async mustMail(id: string, reader: string): Promise<Bead> {
    const b = await this.c.ledger.show(id);
    if (b.type !== 'message' && b.type !== 'escalation') throw new TownError('invalid', `${id} is a ${b.type}, not mail`);
    if (b.assignee !== reader) throw new TownError('unauthorized', `${id} is addressed to ${b.assignee ?? 'nobody'}, not to ${reader}`);
    return b;
  }
}
