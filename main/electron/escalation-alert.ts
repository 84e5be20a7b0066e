// Which escalation events become a desktop notification (high and critical: `notify`), and what
// it says. Pure: main.ts feeds it the Town's `escalation` events.
import type { EscalationEvent } from '../../preload/requests/work-types.ts';
import type { Alert } from './tray-status.ts';

export function escalationAlert(e: EscalationEvent): Alert | null {
  if (!e.notify) return null;
  const first = e.message.split('\n')[0].slice(0, 200);
  return { title: `Gas Town: ${e.severity} escalation${e.reraised ? ` (still open, ${e.reraised})` : ''}`, body: `${e.from}: ${first}` };
}
