// Escalations, one path: every escalation (an agent's `gt escalate`, the Witness, the Deacon, a
// budget, the Dolt server or PTY host giving up) is raised here, recorded as one `escalation` bead
// addressed to the overseer (their inbox), routed by severity (escalation-rules.ts: the Mayor's
// mail from medium, an OS notification from high) and published as one `escalation` event.
// Acknowledging stops it coming back; closing ends it.
import { TownError } from '../../../preload/contract.ts';
import type { EventName, TownEvents } from '../../../preload/contract.ts';
import type { Bead } from '../../../preload/types.ts';
import type { EscalationSeverity, MailMessage } from '../../../preload/requests/work-types.ts';
import type { EscalationInfo } from '../../../preload/requests/supervision-types.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { MAYOR } from '../polecats/agent-store.ts';
import { beadToMail, ESCALATION_LABEL, MESSAGE_LABEL, OVERSEER } from '../mail/mail-service.ts';
import { dueForReraise, route, SEVERITY_PRIORITY, type EscalationNote, type ReraiseSettings } from './escalation-rules.ts';

export interface EscalationDeps {
  ledger: Ledger;
  townPrefix: string;
  publish<E extends EventName>(name: E, payload: TownEvents[E]): void;
  log(line: string): void;
}

export interface RaiseInput {
  severity: EscalationSeverity;
  message: string;
  /** Who raised it: an agent address, overseer, or a town component (town/witness, town/deacon …). */
  from: string;
  /** What kind of raiser: agent, witness, deacon, boot, budget, dolt, pty-host, dog. */
  source?: string;
  /** Extra facts kept on the bead (bead, agent, rig …). */
  details?: Record<string, unknown>;
}

const ACTOR = 'town/escalations';

export function escalationInfo(b: Bead): EscalationInfo {
  const n = b.metadata as Partial<EscalationNote>;
  return {
    id: b.id, severity: n.severity ?? 'medium', from: n.from ?? b.createdBy, source: n.source ?? null, title: b.title, message: b.description,
    status: b.status === 'closed' ? 'closed' : n.ackedAt ? 'acked' : 'open', reraised: n.reraised ?? 0,
    ackedBy: n.ackedBy ?? null, createdAt: b.createdAt, closedAt: b.closedAt,
  };
}

export class Escalations {
  constructor(private readonly d: EscalationDeps) {}

  /** The one way an escalation is raised. The event goes out even if the ledger cannot record it. */
  async raise(input: RaiseInput): Promise<MailMessage> {
    const { severity, message, from } = input;
    const first = message.split('\n')[0].trim();
    const now = Date.now();
    const r = route(severity);
    let bead: Bead;
    try {
      bead = await this.d.ledger.create({
        title: `[${severity.toUpperCase()}] ${first}`.slice(0, 500), description: message, type: 'escalation', prefix: this.d.townPrefix,
        priority: SEVERITY_PRIORITY[severity], assignee: OVERSEER, labels: [ESCALATION_LABEL, `severity:${severity}`],
        metadata: { ...input.details, from, to: OVERSEER, severity, source: input.source ?? 'agent', raisedAt: now, reraised: 0, lastRaisedAt: now } satisfies EscalationNote,
      }, from);
    } catch (e) {
      // The ledger itself may be what failed (Dolt gave up): the user still hears of it.
      this.d.log(`ESCALATION [${severity}] (not recorded: ${(e as Error).message}) ${from}: ${first}`);
      this.d.publish('escalation', { id: '', severity, from, message, notify: r.notify, reraised: 0, source: input.source ?? null });
      throw e;
    }
    await this.route(bead, 0);
    return beadToMail(bead);
  }

  /** Raises without failing the caller (supervisors, Dolt/PTY host callbacks). */
  raiseQuietly(input: RaiseInput): void {
    void this.raise(input).catch(() => undefined);
  }

  private async route(bead: Bead, reraised: number): Promise<void> {
    const n = bead.metadata as EscalationNote;
    const r = route(n.severity);
    this.d.log(`ESCALATION [${n.severity}]${reraised ? ` (raised again, ${reraised})` : ''} ${bead.id} ${n.from}: ${bead.description.split('\n')[0]}`);
    if (r.mailMayor) {
      await this.d.ledger.create({
        title: `${reraised ? 'Still open: ' : ''}${bead.title}`.slice(0, 500),
        description: `${bead.description}\n\n(escalation ${bead.id} from ${n.from}; the overseer has it in their inbox. Acknowledge with: gt escalate ack ${bead.id})`,
        type: 'message', prefix: this.d.townPrefix, assignee: MAYOR, labels: [MESSAGE_LABEL, `from:${ACTOR}`],
        metadata: { from: ACTOR, to: MAYOR, escalation: bead.id, severity: n.severity },
      }, ACTOR).catch((e: Error) => this.d.log(`escalation ${bead.id}: could not mail the Mayor: ${e.message}`));
    }
    this.d.publish('escalation', { id: bead.id, severity: n.severity, from: n.from, message: bead.description, notify: r.notify, reraised, source: n.source ?? null });
  }

  async list(all: boolean): Promise<EscalationInfo[]> {
    const beads = await this.d.ledger.list({ type: 'escalation', limit: 100_000 });
    return beads.filter((b) => all || b.status !== 'closed').map(escalationInfo)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  private async get(id: string): Promise<Bead> {
    const b = await this.d.ledger.show(id);
    if (b.type !== 'escalation') throw new TownError('invalid', `${id} is a ${b.type}, not an escalation`);
    return b;
  }

  async ack(id: string, actor: string): Promise<EscalationInfo> {
    const b = await this.get(id);
    if (b.status === 'closed') throw new TownError('conflict', `${id} is already closed`);
    const n = b.metadata as EscalationNote;
    if (n.ackedAt) return escalationInfo(b);
    return escalationInfo(await this.d.ledger.update(id, { metadata: { ...n, ackedBy: actor, ackedAt: Date.now() } }, actor));
  }

  async close(id: string, reason: string | undefined, actor: string): Promise<EscalationInfo> {
    const b = await this.get(id);
    if (b.status === 'closed') return escalationInfo(b);
    return escalationInfo(await this.d.ledger.closeBead(id, reason ?? `closed by ${actor}`, actor));
  }

  /** Raises again what nobody acknowledged in time (the Deacon's patrol calls this). Returns the ids. */
  reraiseDue(s: ReraiseSettings, now = Date.now()): Promise<string[]> {
    // One at a time: a Deacon replaced mid-patrol must not raise the same escalation twice.
    const run = this.reraising.then(() => this.reraiseNow(s, now));
    this.reraising = run.catch(() => undefined);
    return run;
  }

  private reraising: Promise<unknown> = Promise.resolve();

  private async reraiseNow(s: ReraiseSettings, now: number): Promise<string[]> {
    const open = (await this.d.ledger.list({ type: 'escalation', status: 'open', limit: 100_000 }))
      .map((b) => ({ bead: b, status: b.status as string, note: b.metadata as EscalationNote, createdAt: Date.parse(b.createdAt) }));
    const due = dueForReraise(open, now, s);
    for (const e of due) {
      const reraised = (e.note.reraised ?? 0) + 1;
      const updated = await this.d.ledger.update(e.bead.id, { metadata: { ...e.note, reraised, lastRaisedAt: now }, expectStatus: ['open'] }, ACTOR).catch(() => null);
      if (updated) await this.route(updated, reraised);
    }
    return due.map((e) => e.bead.id);
  }
}
