// Who may call the TownApi over IPC: only the main frame of one of our own windows, showing our
// renderer. Pure, so the rule is unit-tested; ipc.ts gathers the facts from the IPC event.
import { isRendererUrl } from './renderer-url.ts';

export interface SenderFacts {
  webContentsId: number;
  /** null when the frame has already navigated away or been destroyed. */
  frameUrl: string | null;
  isMainFrame: boolean;
}

export type SenderVerdict = { ok: true; consumer: string } | { ok: false; reason: string };

const CONSUMER_PREFIX = 'window:';

/** The Town's name for a window's connection: terminal output is streamed to it by this name. */
export function consumerFor(webContentsId: number): string {
  return `${CONSUMER_PREFIX}${webContentsId}`;
}

export function webContentsIdOf(consumer: string): number | null {
  if (!consumer.startsWith(CONSUMER_PREFIX)) return null;
  const id = Number(consumer.slice(CONSUMER_PREFIX.length));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function judgeSender(facts: SenderFacts, trustedIds: ReadonlySet<number>): SenderVerdict {
  if (!trustedIds.has(facts.webContentsId)) return { ok: false, reason: `webContents ${facts.webContentsId} is not a Gas Town window` };
  if (!facts.isMainFrame) return { ok: false, reason: 'calls from subframes are refused' };
  if (facts.frameUrl === null) return { ok: false, reason: 'the calling frame is gone' };
  if (!isRendererUrl(facts.frameUrl)) return { ok: false, reason: `the calling page is not the Gas Town renderer (${facts.frameUrl.slice(0, 200)})` };
  return { ok: true, consumer: consumerFor(facts.webContentsId) };
}
