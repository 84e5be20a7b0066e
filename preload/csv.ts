// A small RFC 4180 CSV reader for `gt convoy create --csv` and the UI's CSV drop (pure, shared): a header row names the columns, each
// further row becomes one bead through {{column}} templates. Any malformed row rejects the whole
// file with its line number, before anything is created.
import { TownError } from './errors.ts';

export interface CsvRow {
  /** 1-based line in the file where the row starts. */
  line: number;
  values: Record<string, string>;
}

/** Splits CSV text into records of fields; quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsvRecords(text: string): Array<{ line: number; fields: string[] }> {
  const out: Array<{ line: number; fields: string[] }> = [];
  const src = text.replace(/^\uFEFF/, '');
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let atFieldStart = true;
    for (;;) {
      if (i >= src.length) {
        if (quoted) throw new TownError('invalid', `CSV line ${start}: a quoted field is not closed`);
        fields.push(field);
        break;
      }
      const ch = src[i];
      if (quoted) {
        if (ch === '"') {
          if (src[i + 1] === '"') { field += '"'; i += 2; continue; }
          quoted = false;
          i++;
          if (i < src.length && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r') throw new TownError('invalid', `CSV line ${line}: unexpected text after a closing quote`);
          continue;
        }
        if (ch === '\n') line++;
        field += ch;
        i++;
        continue;
      }
      if (ch === '"' && atFieldStart) { quoted = true; atFieldStart = false; i++; continue; }
      if (ch === '"') throw new TownError('invalid', `CSV line ${line}: a quote inside an unquoted field (quote the whole field and double the quote)`);
      if (ch === ',') { fields.push(field); field = ''; atFieldStart = true; i++; continue; }
      if (ch === '\r' || ch === '\n') {
        fields.push(field);
        i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
        line++;
        break;
      }
      field += ch;
      atFieldStart = false;
      i++;
    }
    // Blank lines separate nothing: skip them.
    if (!(fields.length === 1 && fields[0].trim() === '')) out.push({ line: start, fields });
  }
  return out;
}

/** Rows keyed by the header's column names; every row must have exactly as many fields as the header. */
export function parseCsv(text: string): { columns: string[]; rows: CsvRow[] } {
  const records = parseCsvRecords(text);
  if (records.length === 0) throw new TownError('invalid', 'the CSV file is empty');
  const header = records[0];
  const columns = header.fields.map((f) => f.trim());
  columns.forEach((c, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_ -]*$/.test(c)) throw new TownError('invalid', `CSV line ${header.line}: column ${i + 1} has no usable name (${JSON.stringify(c)})`);
    if (columns.indexOf(c) !== i) throw new TownError('invalid', `CSV line ${header.line}: column ${c} appears twice`);
  });
  const rows = records.slice(1).map((r) => {
    if (r.fields.length !== columns.length) throw new TownError('invalid', `CSV line ${r.line}: ${r.fields.length} fields, the header has ${columns.length}`);
    return { line: r.line, values: Object.fromEntries(columns.map((c, i) => [c, r.fields[i]])) };
  });
  if (rows.length === 0) throw new TownError('invalid', 'the CSV file has a header but no rows');
  return { columns, rows };
}

/** Fills {{column}} placeholders; an unknown column is an error naming the template. */
export function fillTemplate(template: string, row: CsvRow, what: string): string {
  return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, name: string) => {
    if (!(name in row.values)) throw new TownError('invalid', `CSV line ${row.line}: the ${what} template uses {{${name}}}, which is not a column`);
    return row.values[name];
  });
}
