/**
 * `byteaRows` (src/db): byte strings sent as a few hex text parameters and cut apart in
 * SQL come back from the database as the same bytes, in the same order, on either
 * database — values of every size around the 32 KiB parameter bound, an entry's
 * maximum (65,535 bytes), empty ones, one value and none. The bytes read back are
 * compared with the values themselves (what went in), not with our encoding.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteaRows, queryRows, sql, toBytes } from '../../src/db/database.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
  await db.db.execute(sql`CREATE TABLE bytea_rows_test (run int NOT NULL, n bigint NOT NULL, d bytea NOT NULL, PRIMARY KEY (run, n))`);
});
afterAll(async () => {
  await db?.close();
});

let run = 0;
/** Inserts `values` through byteaRows and reads them back in order. */
async function roundTrip(values: Uint8Array[]): Promise<Uint8Array[]> {
  const r = ++run;
  await db.db.execute(sql`INSERT INTO bytea_rows_test (run, n, d) SELECT ${r}, x.n, x.d FROM ${byteaRows(values)} AS x`);
  const rows = await queryRows<{ n: unknown; d: unknown }>(db.db, sql`SELECT n, d FROM bytea_rows_test WHERE run = ${r} ORDER BY n`);
  expect(rows.map((row) => Number(row.n))).toEqual(values.map((_, i) => i + 1));
  return rows.map((row) => toBytes(row.d));
}

describe('byteaRows', () => {
  it('gives back values of every size around the parameter bound, in order', async () => {
    const sizes = [1, 0, 32 * 1024 - 1, 1, 32 * 1024, 32 * 1024 + 1, 65_535, 0, 7, 16 * 1024, 16 * 1024, 16 * 1024 + 1, 3];
    const values = sizes.map((n) => new Uint8Array(randomBytes(n)));
    expect(await roundTrip(values)).toEqual(values);
  });

  it('gives back a batch the size of the sequencer’s (4,096 entries of a few hundred bytes)', async () => {
    const values = Array.from({ length: 4096 }, (_, i) => new Uint8Array(randomBytes(200 + ((i * 7919) % 600))));
    expect(await roundTrip(values)).toEqual(values);
  });

  it('takes views into larger buffers (their own bytes only), one value, and none', async () => {
    const big = new Uint8Array(randomBytes(1000));
    const views = [big.subarray(10, 20), big.subarray(0, 1), big.subarray(999)];
    expect(await roundTrip(views)).toEqual(views.map((v) => v.slice()));
    const one = [new Uint8Array(randomBytes(40_000))];
    expect(await roundTrip(one)).toEqual(one);
    expect(await roundTrip([])).toEqual([]);
  });
});
