// Reads a usage file incrementally: from the saved byte offset to the end, complete lines only.
//
// Invariants:
//   - the offset only ever moves past a newline: a last line still being written is left for the
//     next read, so it is neither lost nor counted twice;
//   - bytes before the offset are never read again (the cost of a read is proportional to what was
//     appended, not to the file);
//   - a file that shrank or was replaced (another inode) is read again from the start with a fresh
//     parser state;
//   - `whole` files (one JSON document each, e.g. an OpenCode message) are fed whole whenever their
//     size or mtime changed; the parser's own keys keep a call from being counted twice;
//   - a file with nothing new is not opened (one stat), and its cursor comes back as it was given.
import { promises as fsp } from 'node:fs';
import type { UsageParser, UsageRecord } from './usage-record.ts';

export interface TailCursor {
  file: string;
  offset: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** The parser's state after the last complete line read (plain JSON). */
  state: unknown;
}

export const newCursor = (file: string): TailCursor => ({ file, offset: 0, ino: 0, size: 0, mtimeMs: 0, state: undefined });

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

export interface TailResult {
  records: UsageRecord[];
  cursor: TailCursor;
  /** Bytes read from disk by this call. */
  bytesRead: number;
}

/** Whether a file with this stat holds nothing the cursor has not read (the same file, nothing
 *  appended; for a `whole` file, the same size and mtime). */
function unchanged(cursor: TailCursor, st: { ino: number; size: number; mtimeMs: number }, whole: boolean): boolean {
  if (st.ino !== cursor.ino) return false;
  return whole ? st.size === cursor.size && st.mtimeMs === cursor.mtimeMs : st.size === cursor.offset;
}

/** Reads what was appended since `cursor`. Missing file: nothing, cursor unchanged. A file with
 *  nothing new costs one stat (it is not opened) and answers the very cursor it was given, so a
 *  caller that keeps cursors sees nothing to save. */
export async function tailUsage(cursor: TailCursor, makeParser: (saved: unknown) => UsageParser, opts: { whole?: boolean } = {}): Promise<TailResult> {
  try {
    if (unchanged(cursor, await fsp.stat(cursor.file), opts.whole ?? false)) return { records: [], cursor, bytesRead: 0 };
  } catch {
    return { records: [], cursor, bytesRead: 0 };
  }
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(cursor.file, 'r');
  } catch {
    return { records: [], cursor, bytesRead: 0 };
  }
  try {
    const st = await handle.stat();
    // Checked again on the open file: it may have been replaced or appended to since the stat.
    if (unchanged(cursor, st, opts.whole ?? false)) return { records: [], cursor, bytesRead: 0 };
    let c = cursor;
    if (st.ino !== c.ino || st.size < c.offset) c = { ...newCursor(c.file), ino: st.ino };
    if (opts.whole) {
      if (st.size === c.size && st.mtimeMs === c.mtimeMs) return { records: [], cursor: c, bytesRead: 0 };
      const text = await handle.readFile('utf8');
      const parser = makeParser(c.state);
      const records = parser.line(text, 0);
      return { records, cursor: { ...c, offset: 0, size: st.size, mtimeMs: st.mtimeMs, state: parser.state() }, bytesRead: Buffer.byteLength(text) };
    }
    if (st.size === c.offset) return { records: [], cursor: { ...c, size: st.size, mtimeMs: st.mtimeMs }, bytesRead: 0 };
    const parser = makeParser(c.state);
    const records: UsageRecord[] = [];
    let offset = c.offset;
    let pending: Buffer | null = null;
    let pendingAt = offset;
    let pos = offset;
    let bytesRead = 0;
    // Sized to what was appended (a usage line or two, nearly always), at most CHUNK.
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, st.size - offset)));
    for (;;) {
      const { bytesRead: n } = await handle.read(buf, 0, buf.length, pos);
      if (n === 0) break;
      bytesRead += n;
      const chunk = buf.subarray(0, n);
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE, 0); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, nl);
        const line = pending ? Buffer.concat([pending, piece]) : piece;
        const lineAt = pending ? pendingAt : pos + start;
        pending = null;
        if (line.length) for (const r of parser.line(line.toString('utf8'), lineAt)) records.push(r);
        start = nl + 1;
        offset = pos + start;
      }
      if (start < n) {
        const rest = Buffer.from(chunk.subarray(start));
        if (!pending) pendingAt = pos + start;
        pending = pending ? Buffer.concat([pending, rest]) : rest;
      }
      pos += n;
    }
    return { records, cursor: { ...c, offset, size: st.size, mtimeMs: st.mtimeMs, state: parser.state() }, bytesRead };
  } finally {
    await handle.close();
  }
}
