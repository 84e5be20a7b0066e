// Live xterm instances by terminal id, outside React: terminal bytes go straight from the transport
// into xterm, and are acknowledged once xterm has processed them (flow control back to the PTY).
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { TownClient } from '../../preload/contract.ts';

/** Acknowledge in chunks: one ack per few KB keeps the PTY flowing without an ack per write. */
const ACK_EVERY_BYTES = 5000;

interface Entry {
  term: Terminal;
  fit: FitAddon;
  unacked: number;
  inputDisposable: { dispose(): void };
}

export class TerminalRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly unsubscribe: () => void;

  constructor(private readonly client: TownClient) {
    this.unsubscribe = client.onTerminalData((id, data) => this.write(id, data));
  }

  /** Creates the xterm for a terminal, mounts it into `host`, and starts streaming its output. */
  async mount(id: string, host: HTMLElement): Promise<void> {
    let entry = this.entries.get(id);
    if (!entry) {
      const term = new Terminal({ fontSize: 13, cursorBlink: true, scrollback: 5000, convertEol: false });
      const fit = new FitAddon();
      term.loadAddon(fit);
      const inputDisposable = term.onData((data) => void this.client.terminalWrite({ id, data }));
      entry = { term, fit, unacked: 0, inputDisposable };
      this.entries.set(id, entry);
      term.open(host);
      fit.fit();
      await this.client.terminalResize({ id, cols: term.cols, rows: term.rows });
      await this.client.terminalAttach({ id });
    }
    entry.term.focus();
  }

  fit(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.fit.fit();
    void this.client.terminalResize({ id, cols: entry.term.cols, rows: entry.term.rows });
  }

  private write(id: string, data: Uint8Array): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    const bytes = data.length;
    entry.term.write(data, () => {
      entry.unacked += bytes;
      if (entry.unacked >= ACK_EVERY_BYTES) this.flushAck(id, entry);
      else queueMicrotask(() => this.flushAckIfIdle(id, entry));
    });
  }

  // Small outputs (an echo, a prompt) are acknowledged too, so the count never sticks below the threshold.
  private flushAckIfIdle(id: string, entry: Entry): void {
    if (entry.unacked > 0 && entry.unacked < ACK_EVERY_BYTES) this.flushAck(id, entry);
  }

  private flushAck(id: string, entry: Entry): void {
    const bytes = entry.unacked;
    entry.unacked = 0;
    void this.client.terminalAck({ id, bytes });
  }

  dispose(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.inputDisposable.dispose();
    entry.term.dispose();
    this.entries.delete(id);
  }

  disposeAll(): void {
    this.unsubscribe();
    for (const id of [...this.entries.keys()]) this.dispose(id);
  }
}
