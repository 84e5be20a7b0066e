// A Ledger on a temporary real Dolt server for one describe block: started before its tests, closed
// after them, with a raw connection (dates as strings) for reading Dolt's own tables (dolt_log,
// dolt_status, HASHOF). Call it inside the describe; read the fields from the tests.
import { after, before } from 'node:test';
import mysql from 'mysql2/promise';
import { Ledger } from '../../main/ledger/ledger.ts';
import { startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';

export interface LedgerFixture {
  dolt: TempDolt;
  ledger: Ledger;
  raw: mysql.Connection;
}

export function ledgerFixture(): LedgerFixture {
  const f = {} as LedgerFixture;
  before(async () => {
    f.dolt = await startTempDolt();
    f.ledger = await Ledger.open(f.dolt.server.connection());
    f.raw = await mysql.createConnection({ ...f.dolt.server.connection(), dateStrings: true });
  });
  after(async () => {
    await f.raw?.end();
    await f.ledger?.close();
    await f.dolt?.dispose();
  });
  return f;
}

/** The value of `write` and the SQL text of every statement it ran on a connection of the ledger's
 *  write pool (a round trip of several statements counts each). */
export async function recordWrites<T>(ledger: Ledger, write: () => Promise<T>): Promise<{ value: T; statements: string[] }> {
  type Connection = { query: (...a: unknown[]) => unknown };
  const pool = ledger.writePool as unknown as { getConnection: () => Promise<Connection> };
  const getConnection = pool.getConnection;
  const statements: string[] = [];
  pool.getConnection = async () => {
    const conn = await getConnection.call(ledger.writePool);
    const query = conn.query;
    conn.query = (...a: unknown[]) => {
      statements.push(...(typeof a[0] === 'object' ? String((a[0] as { sql: string }).sql) : String(a[0])).split(';\n'));
      return query.apply(conn, a);
    };
    return conn;
  };
  try {
    return { value: await write(), statements };
  } finally {
    pool.getConnection = getConnection;
  }
}

/** The value of `read` and how many statements it ran on the ledger's read pool. */
export async function countReads<T>(ledger: Ledger, read: () => Promise<T>): Promise<{ value: T; statements: number }> {
  const pool = ledger.pool as unknown as { query: (...a: unknown[]) => Promise<unknown> };
  const query = pool.query;
  let statements = 0;
  pool.query = (...a) => { statements++; return query.apply(ledger.pool, a); };
  try {
    return { value: await read(), statements };
  } finally {
    pool.query = query;
  }
}
