// Files dropped on the window: what they are and what they would write, before anything is written.
// Pure: a file's name, size and text in; a preview (or a refusal naming the problem) out.
//
// Invariants:
// - A file is Markdown (.md, .markdown), CSV (.csv) or beads JSONL (.jsonl) by its name, and its
//   text must parse as that; anything else, anything larger than MAX_IMPORT_BYTES, or text with NUL
//   bytes (binary) is refused with a message naming the file and the problem.
// - Markdown: one bead per top-level heading (the shallowest heading level present, with the text
//   under it as description); without headings, one bead per top-level list item (with its
//   indented lines as description).
// - CSV: one bead per row, read by the same parser as `gt convoy create --csv` (preload/csv.ts);
//   the title is the `title` column (else the first), the description the `description` column.
// - JSONL: every non-empty line is a JSON object with an `id` and a `title` (else its line number is
//   named); the ledger's import then writes it all in one transaction.
import { parseCsv } from '../../preload/csv.ts';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

export interface DraftBead {
  title: string;
  description: string;
}

export type ImportPreview =
  | { kind: 'markdown'; file: string; beads: DraftBead[] }
  | { kind: 'csv'; file: string; name: string; csv: string; columns: string[]; titleTemplate: string; descriptionTemplate: string; beads: DraftBead[] }
  | { kind: 'jsonl'; file: string; jsonl: string; beads: Array<{ id: string; title: string }> };

export type ImportCheck = { ok: true; preview: ImportPreview } | { ok: false; error: string };

export type ImportKind = 'markdown' | 'csv' | 'jsonl';

/** The kind a file name says, or null. */
export function importKind(name: string): ImportKind | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  if (ext === 'csv') return 'csv';
  if (ext === 'jsonl') return 'jsonl';
  return null;
}

/** Before reading the file: its name and size alone may refuse it. */
export function checkFile(name: string, size: number): string | null {
  if (!importKind(name)) return `${name} is not a Markdown (.md), CSV (.csv) or beads JSONL (.jsonl) file: nothing was imported`;
  if (size > MAX_IMPORT_BYTES) return `${name} is too large (${(size / 1024 / 1024).toFixed(1)} MB; at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB): nothing was imported`;
  if (size === 0) return `${name} is empty: nothing was imported`;
  return null;
}

/** Reads a dropped file's text into a preview, or says why it cannot be imported. */
export function previewImport(name: string, size: number, text: string): ImportCheck {
  const early = checkFile(name, size);
  if (early) return { ok: false, error: early };
  if (text.includes('\u0000')) return { ok: false, error: `${name} holds binary data, not text: nothing was imported` };
  try {
    switch (importKind(name)) {
      case 'markdown': return { ok: true, preview: { kind: 'markdown', file: name, beads: parseMarkdownBeads(text) } };
      case 'csv': return { ok: true, preview: csvPreview(name, text) };
      case 'jsonl': return { ok: true, preview: { kind: 'jsonl', file: name, jsonl: text, beads: parseJsonlBeads(text) } };
      default: return { ok: false, error: `${name}: unknown kind` };
    }
  } catch (err) {
    return { ok: false, error: `${name}: ${(err as Error).message}; nothing was imported` };
  }
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const ITEM = /^(?:[-*+]|\d+[.)])\s+(.*)$/;

/** One bead per top-level heading, else per top-level list item. */
export function parseMarkdownBeads(text: string): DraftBead[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  // Fenced code is content, never a heading or an item.
  const fenced: boolean[] = [];
  let inFence = false;
  for (const l of lines) {
    const fence = /^\s*(```|~~~)/.test(l);
    fenced.push(inFence || fence);
    if (fence) inFence = !inFence;
  }
  const levels = lines.map((l, i) => (fenced[i] ? 0 : HEADING.exec(l)?.[1].length ?? 0)).filter((n) => n > 0);
  const beads: DraftBead[] = [];
  if (levels.length) {
    const top = Math.min(...levels);
    let current: { title: string; body: string[] } | null = null;
    lines.forEach((l, i) => {
      const h = fenced[i] ? null : HEADING.exec(l);
      if (h && h[1].length === top) {
        if (current) beads.push(finish(current));
        current = { title: h[2], body: [] };
      } else if (current) current.body.push(l);
    });
    if (current) beads.push(finish(current));
  } else {
    let current: { title: string; body: string[] } | null = null;
    lines.forEach((l, i) => {
      const item = fenced[i] ? null : ITEM.exec(l);
      if (item) {
        if (current) beads.push(finish(current));
        current = { title: item[1], body: [] };
      } else if (current && (/^\s+\S/.test(l) || l.trim() === '')) current.body.push(l.replace(/^ {2,4}|^\t/, ''));
      else if (current) { beads.push(finish(current)); current = null; }
    });
    if (current) beads.push(finish(current));
  }
  const usable = beads.filter((b) => b.title);
  if (!usable.length) throw new Error('no top-level heading or list item to make a bead of');
  const long = usable.find((b) => b.title.length > 500);
  if (long) throw new Error(`a title is longer than 500 characters ("${long.title.slice(0, 40)}…")`);
  return usable;
}

function finish(d: { title: string; body: string[] }): DraftBead {
  return { title: d.title.replace(/^\[[ xX]\]\s+/, '').trim(), description: d.body.join('\n').trim() };
}

function csvPreview(file: string, text: string): ImportPreview {
  const { columns, rows } = parseCsv(text);
  const titleColumn = columns.find((c) => c.toLowerCase() === 'title') ?? columns[0];
  const descriptionColumn = columns.find((c) => c.toLowerCase() === 'description');
  const titleTemplate = `{{${titleColumn}}}`;
  const descriptionTemplate = descriptionColumn ? `{{${descriptionColumn}}}` : '';
  const beads = rows.map((r) => {
    const title = r.values[titleColumn].trim();
    if (!title) throw new Error(`CSV line ${r.line}: the ${titleColumn} column is empty (every bead needs a title)`);
    return { title, description: descriptionColumn ? r.values[descriptionColumn] : '' };
  });
  return { kind: 'csv', file, name: file.replace(/\.[^.]+$/, '') || file, csv: text, columns, titleTemplate, descriptionTemplate, beads };
}

/** Every line a JSON object with an id and a title (the server validates the rest in one transaction). */
export function parseJsonlBeads(text: string): Array<{ id: string; title: string }> {
  const out: Array<{ id: string; title: string }> = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try { v = JSON.parse(line); } catch { throw new Error(`line ${i + 1} is not JSON`); }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`line ${i + 1} is not a JSON object`);
    const o = v as { id?: unknown; title?: unknown };
    if (typeof o.id !== 'string' || !o.id) throw new Error(`line ${i + 1} has no "id"`);
    if (typeof o.title !== 'string') throw new Error(`line ${i + 1} (${o.id}) has no "title"`);
    out.push({ id: o.id, title: o.title });
  });
  if (!out.length) throw new Error('no bead in the file');
  return out;
}
