// OpenCode 1.x keeps its messages in SQLite, <data>/opencode/opencode.db (opencode-ai 1.18.33:
// tables `session` (id, directory, …) and `message` (id, session_id, time_created, time_updated,
// data: the message as JSON without its id and session)). Node 20 has no SQLite, so this reads it
// through the `sqlite3` command, read-only, incrementally by `time_updated` (a message row is
// rewritten as it streams; the parser counts a message once, when it is completed).
import { execFile } from 'node:child_process';

export interface OpencodeRows {
  /** Each row as the message JSON the parser reads (id, sessionID and path.cwd filled in). */
  lines: string[];
  /** The highest time_updated read (the next read starts there). */
  last: number;
}

const LIMIT = 5000;

/** New or updated messages since `after`; null when the sqlite3 command is not available. */
export function readOpencodeDb(dbFile: string, after: number, sqlite = 'sqlite3'): Promise<OpencodeRows | null> {
  const since = Math.max(0, Math.floor(after));
  const query = `SELECT m.id AS id, m.session_id AS session_id, m.time_updated AS time_updated, m.data AS data, s.directory AS directory FROM message m LEFT JOIN session s ON s.id = m.session_id WHERE m.time_updated >= ${since} ORDER BY m.time_updated LIMIT ${LIMIT}`;
  return new Promise((resolve, reject) => {
    execFile(sqlite, ['-readonly', '-json', dbFile, query], { maxBuffer: 256 << 20, timeout: 30_000 }, (err, stdout) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(null);
        return reject(new Error(`sqlite3 ${dbFile}: ${err.message.split('\n')[0]}`));
      }
      const rows = stdout.trim() ? (JSON.parse(stdout) as Array<{ id: string; session_id: string; time_updated: number; data: string; directory: string | null }>) : [];
      let last = since;
      const lines: string[] = [];
      for (const r of rows) {
        last = Math.max(last, r.time_updated);
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(r.data) as Record<string, unknown>;
        } catch {
          continue;
        }
        const path = (data.path as { cwd?: string } | undefined) ?? (r.directory ? { cwd: r.directory, root: r.directory } : undefined);
        lines.push(JSON.stringify({ ...data, id: r.id, sessionID: r.session_id, path }));
      }
      resolve({ lines, last });
    });
  });
}
