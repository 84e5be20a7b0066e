// Desktop notifications for things the overseer must know about even with the window hidden
// (the ledger down, terminals restarting; escalations later). Silently skipped where unsupported.
import { Notification } from 'electron';
import type { Alert } from './tray-status.ts';

export function notify(alert: Alert, onClick?: () => void): void {
  if (!Notification.isSupported()) return;
  const n = new Notification({ title: alert.title, body: alert.body, silent: false });
  if (onClick) n.on('click', onClick);
  n.show();
}
