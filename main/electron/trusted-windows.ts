// The set of webContents that are our windows. A webContents is added when window.ts creates it and
// leaves the set when it is destroyed, so IPC never trusts, nor sends to, anything else.
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { isRendererUrl } from './renderer-url.ts';
import { consumerFor, judgeSender, webContentsIdOf, type SenderVerdict } from './sender-trust.ts';

export class TrustedWindows {
  private readonly byId = new Map<number, WebContents>();
  private readonly detachListeners = new Set<(consumer: string) => void>();

  add(wc: WebContents): void {
    const id = wc.id;
    this.byId.set(id, wc);
    wc.once('destroyed', () => {
      this.byId.delete(id);
      this.detached(id);
    });
    // A reload (or any new document) starts a fresh page that attaches to its terminals again.
    wc.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) this.detached(id);
    });
  }

  /**
   * Called with a window's consumer name when the page it names is gone (window destroyed, page
   * reloaded): its terminal attachments must end, so an unread backlog cannot keep a PTY paused.
   */
  onDetached(listener: (consumer: string) => void): () => void {
    this.detachListeners.add(listener);
    return () => this.detachListeners.delete(listener);
  }

  private detached(id: number): void {
    for (const listener of this.detachListeners) listener(consumerFor(id));
  }

  judge(event: IpcMainInvokeEvent): SenderVerdict {
    const frame = event.senderFrame;
    return judgeSender(
      {
        webContentsId: event.sender.id,
        frameUrl: frame && !frame.isDestroyed() ? frame.url : null,
        isMainFrame: !!frame && frame.parent === null,
      },
      new Set(this.byId.keys()),
    );
  }

  /** Our live windows showing our renderer; never a destroyed one (sending to it throws). */
  live(): WebContents[] {
    return [...this.byId.values()].filter((wc) => !wc.isDestroyed() && isRendererUrl(wc.getURL()));
  }

  forConsumer(consumer: string): WebContents | null {
    const id = webContentsIdOf(consumer);
    const wc = id === null ? undefined : this.byId.get(id);
    return wc && !wc.isDestroyed() ? wc : null;
  }
}
