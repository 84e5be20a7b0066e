// Live xterm instances by terminal id, for the app's lifetime, outside React. Terminal bytes go
// straight from the transport into xterm and never into React state or the store.
//
// Invariants:
// - One xterm per terminal id, created once: mounting it in another cell moves its element.
// - At most WEBGL_CAP terminals hold a WebGL context (the most recently shown); the others, and
//   any whose context is lost, render with the DOM renderer — as all do where WebGL is not
//   hardware-accelerated.
// - A terminal not on screen is not written to: its bytes are acknowledged (the PTY keeps going)
//   and skipped, and when it is shown again it re-attaches from the offset it had rendered, so the
//   host's ring replays only what it missed.
// - Acknowledgements are sent without waiting for a reply: one per 8 KB rendered, the rest 30 ms later.
// - Bytes go to xterm in writes of at most 4 KB, so its parser yields between them (~12 ms a task).
// - Only the focused terminal is drawn byte by byte; the others are drawn a few times a second
//   (PaintPacer), in order and losing nothing, and wait while the focused one's bytes are being
//   drawn, so many streaming terminals leave frames for typing.
// - On a new connection (web host restarted) every live terminal re-attaches from its offset.
// - An attach that failed (its session not known to the town yet, the town's PTY host restarting) is
//   tried again while the terminal is on screen, backing off, ATTACH_RETRIES times at most; showing
//   the terminal again starts over.
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal, type ITheme } from '@xterm/xterm';
import type { TownClient } from '../../preload/contract.ts';
import { PaintPacer } from './paint-pacer.ts';
import { StreamOffsets } from './stream-offsets.ts';
import { WebglBudget } from './webgl-budget.ts';

/** Acknowledge in chunks: one ack per few KB keeps the PTY flowing without an ack per write. */
const ACK_EVERY_BYTES = 8192;
/** What is left below the threshold is acknowledged this long after it was rendered. */
const ACK_IDLE_MS = 30;
const WEBGL_CAP = 8;
/** Bytes handed to xterm per write call: xterm parses its queued writes for at most ~12 ms per task
 *  and yields between writes, not within one, so a large release written whole was one long task. */
const WRITE_SLICE_BYTES = 4096;
const FIT_SETTLE_MS = 80;
/** A failed attach is tried again after this long, then twice as long each time, up to the cap. */
const ATTACH_RETRY_MS = 250;
const ATTACH_RETRY_MAX_MS = 4000;
const ATTACH_RETRIES = 10;

interface Entry {
  id: string;
  term: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  webgl: WebglAddon | null;
  /** The element xterm lives in; moved between cells, never recreated. */
  element: HTMLDivElement;
  offsets: StreamOffsets;
  unacked: number;
  visible: boolean;
  /** Skipped bytes while hidden: the next show re-attaches from `offsets.rendered`. */
  behind: boolean;
  attached: boolean;
  /** Failed attaches since the last one that succeeded (or since the terminal was last shown). */
  attachFailures: number;
  attachTimer: ReturnType<typeof setTimeout> | null;
  resizeObserver: ResizeObserver;
  visibilityObserver: IntersectionObserver;
  resizeTimer: ReturnType<typeof setTimeout> | null;
  fitTimer: ReturnType<typeof setTimeout> | null;
  ackTimer: ReturnType<typeof setTimeout> | null;
  disposables: Array<{ dispose(): void }>;
}

export interface RegistryStats {
  terminals: number;
  webgl: number;
  visible: number;
}

export class TerminalRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly budget = new WebglBudget(WEBGL_CAP);
  private readonly unsubscribe: () => void;
  private theme: ITheme = {};
  /** WebGL only where a GPU draws it: software WebGL (SwiftShader, no GPU) is read back from every
   *  canvas at each compositor commit, which starved the page far more than the DOM renderer does. */
  private webglWorks = acceleratedWebgl();
  private readonly pacer = new PaintPacer({
    write: (id, data) => this.write(id, data),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    requestFrame: (fn) => requestAnimationFrame(fn),
  });

  constructor(private readonly client: TownClient) {
    this.unsubscribe = client.onTerminalData((id, data) => this.receive(id, data));
  }

  /** Puts the terminal's element into `host` (creating the terminal the first time) and shows it. */
  mount(id: string, host: HTMLElement): void {
    const entry = this.entries.get(id) ?? this.create(id);
    if (entry.element.parentElement !== host) host.appendChild(entry.element);
    if (!entry.attached) void this.attach(entry);
    requestAnimationFrame(() => this.fit(entry));
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  focus(id: string): void {
    this.entries.get(id)?.term.focus();
  }

  /** The text of the visible screen (for tests and the inbox's "answer" preview). */
  screenText(id: string): string {
    const entry = this.entries.get(id);
    if (!entry) return '';
    const buf = entry.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < entry.term.rows; i++) lines.push(buf.getLine(buf.viewportY + i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  find(id: string, text: string, backwards = false): boolean {
    const entry = this.entries.get(id);
    if (!entry || !text) return false;
    return backwards ? entry.search.findPrevious(text) : entry.search.findNext(text);
  }

  clearSearch(id: string): void {
    this.entries.get(id)?.search.clearDecorations();
  }

  setTheme(theme: ITheme): void {
    this.theme = theme;
    for (const e of this.entries.values()) e.term.options.theme = theme;
  }

  /** A new connection to the town: terminals it streamed before are re-attached from their offsets. */
  reconnected(): void {
    for (const e of this.entries.values()) {
      e.attached = false;
      e.unacked = 0;
      if (e.visible) void this.attach(e);
      else e.behind = true;
    }
  }

  /** Drops terminals that no longer exist (their agent's session ended and was replaced). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of [...this.entries.keys()]) if (!ids.has(id)) this.dispose(id);
  }

  stats(): RegistryStats {
    let visible = 0;
    let webgl = 0;
    for (const e of this.entries.values()) {
      if (e.visible) visible++;
      if (e.webgl) webgl++;
    }
    return { terminals: this.entries.size, webgl, visible };
  }

  dispose(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    if (entry.fitTimer) clearTimeout(entry.fitTimer);
    if (entry.resizeTimer) clearTimeout(entry.resizeTimer);
    if (entry.ackTimer) clearTimeout(entry.ackTimer);
    if (entry.attachTimer) clearTimeout(entry.attachTimer);
    this.pacer.drop(id);
    entry.resizeObserver.disconnect();
    entry.visibilityObserver.disconnect();
    for (const d of entry.disposables) d.dispose();
    this.dropWebgl(entry);
    entry.term.dispose();
    entry.element.remove();
    this.entries.delete(id);
  }

  disposeAll(): void {
    this.unsubscribe();
    for (const id of [...this.entries.keys()]) this.dispose(id);
  }

  private create(id: string): Entry {
    const element = document.createElement('div');
    element.className = 'xterm-holder';
    element.dataset.terminalId = id;
    const term = new Terminal({ fontSize: 13, cursorBlink: false, scrollback: 5000, allowProposedApi: true, theme: this.theme });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    const entry: Entry = {
      id, term, fit, search, webgl: null, element, offsets: new StreamOffsets(), unacked: 0, visible: false, behind: false,
      attached: false, attachFailures: 0, attachTimer: null, resizeTimer: null, fitTimer: null, ackTimer: null, disposables: [],
      resizeObserver: new ResizeObserver(() => this.fitSoon(entry)),
      visibilityObserver: new IntersectionObserver((records) => this.visibility(entry, records[records.length - 1].isIntersecting)),
    };
    entry.disposables.push(term.onData((data) => {
      this.pacer.typed(id);
      void this.client.terminalWrite({ id, data }).catch(() => undefined);
    }));
    term.open(element);
    this.trackFocus(entry);
    entry.resizeObserver.observe(element);
    entry.visibilityObserver.observe(element);
    this.entries.set(id, entry);
    return entry;
  }

  private async attach(entry: Entry): Promise<void> {
    entry.attached = true;
    entry.behind = false;
    entry.offsets.beginAttach();
    try {
      const reply = await this.client.uiTerminalAttach({ id: entry.id, fromOffset: entry.offsets.rendered || undefined });
      if (!this.entries.has(entry.id)) return;
      entry.attachFailures = 0;
      const { data, gap } = entry.offsets.endAttach(reply);
      if (gap) {
        // What was held for drawing precedes the gap: the replay starts a fresh screen.
        this.ack(entry, this.pacer.heldBytes(entry.id));
        this.pacer.drop(entry.id);
        entry.term.reset();
      }
      this.render(entry, data);
    } catch {
      entry.attached = false;
      entry.offsets.endAttach({ replayed: 0, offset: entry.offsets.rendered });
      this.retryAttach(entry);
    }
  }

  /** Tries a failed attach again later, while the terminal exists and is on screen (a hidden one is
   *  attached when it is shown: visibility). */
  private retryAttach(entry: Entry): void {
    if (entry.attachTimer || entry.attachFailures >= ATTACH_RETRIES) return;
    const wait = Math.min(ATTACH_RETRY_MS * 2 ** entry.attachFailures, ATTACH_RETRY_MAX_MS);
    entry.attachFailures++;
    entry.attachTimer = setTimeout(() => {
      entry.attachTimer = null;
      if (this.entries.get(entry.id) === entry && !entry.attached && entry.visible) void this.attach(entry);
    }, wait);
  }

  private receive(id: string, data: Uint8Array): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    if (!entry.visible && !entry.offsets.pendingAttach) {
      // Off screen: keep the PTY flowing, render nothing; the ring has it for when it is shown.
      entry.behind = true;
      this.ack(entry, data.length);
      return;
    }
    const toRender = entry.offsets.receive(data);
    if (toRender) this.render(entry, toRender);
    else this.ack(entry, data.length);
  }

  private render(entry: Entry, data: Uint8Array): void {
    this.pacer.push(entry.id, data);
  }

  /** The pacer's output: into xterm, acknowledged once xterm has parsed it. */
  private write(id: string, data: Uint8Array): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    const bytes = data.length;
    for (let at = 0; at < bytes; at += WRITE_SLICE_BYTES) {
      const slice = data.subarray(at, at + WRITE_SLICE_BYTES);
      // One ack for the whole release, once its last slice is parsed (as many acks as before slicing).
      if (at + WRITE_SLICE_BYTES >= bytes) entry.term.write(slice, () => this.ack(entry, bytes));
      else entry.term.write(slice);
    }
  }

  private trackFocus(entry: Entry): void {
    const textarea = entry.term.textarea;
    if (!textarea) return;
    const focus = (): void => this.pacer.focus(entry.id);
    const blur = (): void => {
      if (this.pacer.focusedId === entry.id) this.pacer.focus(null);
    };
    textarea.addEventListener('focus', focus);
    textarea.addEventListener('blur', blur);
    entry.disposables.push({ dispose: () => { textarea.removeEventListener('focus', focus); textarea.removeEventListener('blur', blur); } });
  }

  private ack(entry: Entry, bytes: number): void {
    entry.unacked += bytes;
    if (entry.unacked >= ACK_EVERY_BYTES) this.flushAck(entry);
    // The rest of a burst (an echo, a prompt) soon after, so the count never sticks below the threshold.
    else entry.ackTimer ??= setTimeout(() => this.flushAck(entry), ACK_IDLE_MS);
  }

  private flushAck(entry: Entry): void {
    if (entry.ackTimer) clearTimeout(entry.ackTimer);
    entry.ackTimer = null;
    if (entry.unacked <= 0) return;
    const bytes = entry.unacked;
    entry.unacked = 0;
    void this.client.terminalAck({ id: entry.id, bytes }).catch(() => undefined);
  }

  private visibility(entry: Entry, visible: boolean): void {
    entry.visible = visible;
    if (!visible) return;
    this.useWebgl(entry);
    if (!entry.attached) entry.attachFailures = 0;
    if (entry.behind || !entry.attached) void this.attach(entry);
    this.fit(entry);
  }

  private useWebgl(entry: Entry): void {
    const { evict } = this.budget.grant(entry.id);
    for (const id of evict) {
      const other = this.entries.get(id);
      if (other) this.dropWebgl(other);
    }
    if (entry.webgl || !this.webglWorks) return;
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => this.dropWebgl(entry));
      entry.term.loadAddon(webgl);
      entry.webgl = webgl;
    } catch {
      // No WebGL here (a headless browser, a blocked GPU): the DOM renderer it is, for all.
      this.webglWorks = false;
      this.budget.release(entry.id);
    }
  }

  private dropWebgl(entry: Entry): void {
    this.budget.release(entry.id);
    const webgl = entry.webgl;
    entry.webgl = null;
    try {
      webgl?.dispose();
    } catch {
      // already gone with its context
    }
  }

  /** Layout churn (cells joining, leaving, the window dragged) refits once it settles: each fit that
   *  changes the columns reflows the whole scrollback. */
  private fitSoon(entry: Entry): void {
    if (entry.fitTimer) clearTimeout(entry.fitTimer);
    entry.fitTimer = setTimeout(() => {
      entry.fitTimer = null;
      this.fit(entry);
    }, FIT_SETTLE_MS);
  }

  private fit(entry: Entry): void {
    if (!entry.element.isConnected || entry.element.clientWidth === 0) return;
    const before = `${entry.term.cols}x${entry.term.rows}`;
    try {
      entry.fit.fit();
    } catch {
      return;
    }
    if (`${entry.term.cols}x${entry.term.rows}` === before) return;
    if (entry.resizeTimer) clearTimeout(entry.resizeTimer);
    entry.resizeTimer = setTimeout(() => {
      entry.resizeTimer = null;
      void this.client.terminalResize({ id: entry.id, cols: entry.term.cols, rows: entry.term.rows }).catch(() => undefined);
    }, 100);
  }
}

/** Whether this page has a hardware-accelerated WebGL 2: a context that does not fail on a major
 *  performance caveat and whose renderer is not a software rasterizer (Chromium without a GPU
 *  reports SwiftShader and does not fail the caveat). */
function acceleratedWebgl(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2', { failIfMajorPerformanceCaveat: true });
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return !/swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  } catch {
    return false;
  }
}
