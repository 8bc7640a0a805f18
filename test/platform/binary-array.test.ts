// uuid[], int8[], int4[], float8[], timestamptz[] and text[] parameters sent in PostgreSQL's binary format: what the server reads back
// must be exactly what was given (order, nulls, empty arrays, the extremes of int8), and a value
// that cannot be encoded is refused before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  float8Array,
  int4Array,
  int8Array,
  textArray,
  timestamptzArray,
  uuidArray,
} from '../../src/platform/db/binary-array.js';
import { named } from '../../src/platform/db/prepared.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await db.drop();
});

/** The array as the server has it, printed by the server. */
async function echo(
  type: 'uuid' | 'int8' | 'int4' | 'float8' | 'text' | 'char(3)',
  param: Buffer,
): Promise<string | null> {
  const { rows } = await db.pool.query<{ v: string | null }>(
    named(`select $1::${type}[]::text as v`, [param]),
  );
  return rows[0]?.v ?? null;
}

describe('uuidArray', () => {
  it('arrives as the same uuids in the same order, nulls included', async () => {
    const ids = ['0189a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', 'FFFFFFFF-0000-4000-8000-ABCDEFABCDEF'];
    expect(await echo('uuid', uuidArray([ids[0] ?? '', null, ids[1] ?? '']))).toBe(
      '{0189a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b,NULL,ffffffff-0000-4000-8000-abcdefabcdef}',
    );
  });

  it('sends an empty array as an empty array', async () => {
    expect(await echo('uuid', uuidArray([]))).toBe('{}');
  });

  it('works with the rows of a real table (= any and unnest)', async () => {
    const { rows } = await db.pool.query<{ id: string }>(
      `select gen_random_uuid()::text as id from generate_series(1, 300)`,
    );
    const ids = rows.map((r) => r.id);
    const { rows: back } = await db.pool.query<{ id: string; n: string }>(
      named(`select id::text, n::text from unnest($1::uuid[]) with ordinality as v (id, n) order by v.n`, [
        uuidArray(ids),
      ]),
    );
    expect(back.map((r) => r.id)).toEqual(ids);
  });

  it('refuses a string that is not a uuid instead of sending other bytes', () => {
    for (const bad of [
      'not-a-uuid',
      '0189a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5',
      '0189a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5g',
      '0189a3b4c-5d6-4e7f-8a9b-0c1d2e3f4a5b', // a dash out of place
      '0189a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5\u0661', // a non-ASCII digit
      '0189a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b0', // one digit too many
      '',
    ]) {
      expect(() => uuidArray([bad])).toThrow(TypeError);
    }
  });
});

describe('int8Array', () => {
  it('arrives as the same numbers, the extremes of int8 and nulls included', async () => {
    const min = -(2n ** 63n);
    const max = 2n ** 63n - 1n;
    expect(await echo('int8', int8Array([0n, -1n, 123456789012345n, min, null, max]))).toBe(
      `{0,-1,123456789012345,${min},NULL,${max}}`,
    );
  });

  it('sends an empty array as an empty array', async () => {
    expect(await echo('int8', int8Array([]))).toBe('{}');
  });

  it('refuses a value outside int8 instead of wrapping it', () => {
    expect(() => int8Array([2n ** 63n])).toThrow(RangeError);
    expect(() => int8Array([-(2n ** 63n) - 1n])).toThrow(RangeError);
  });
});

describe('int4Array', () => {
  it('arrives as the same numbers, the extremes of int4 and nulls included', async () => {
    expect(await echo('int4', int4Array([0, -1, 42, -2_147_483_648, null, 2_147_483_647]))).toBe(
      '{0,-1,42,-2147483648,NULL,2147483647}',
    );
    expect(await echo('int4', int4Array([]))).toBe('{}');
  });

  it('refuses a value that is not a 32-bit integer instead of wrapping or truncating it', () => {
    for (const bad of [2_147_483_648, -2_147_483_649, 1.5, Number.NaN]) {
      expect(() => int4Array([bad])).toThrow(RangeError);
    }
  });
});

describe('float8Array', () => {
  it('arrives as the same doubles, bit for bit', async () => {
    const values = [0, -0.5, 1 / 3, 1e300, -Number.MIN_VALUE, 123456.789];
    const { rows } = await db.pool.query<{ v: string | null }>(
      named(`select v::text from unnest($1::float8[]) with ordinality as u (v, n) order by n`, [
        float8Array([...values, null]),
      ]),
    );
    // float8's text output is the shortest round-trip form, as JavaScript's is.
    expect(rows.map((r) => (r.v === null ? null : Number(r.v)))).toEqual([...values, null]);
    expect(await echo('float8', float8Array([Number.NaN, Infinity]))).toBe('{NaN,Infinity}');
  });
});

describe('timestamptzArray', () => {
  it('arrives as the same instants, to the microsecond, before and after 2000', async () => {
    const ms = [Date.UTC(2026, 10, 22, 3, 4, 5, 678), Date.UTC(1999, 11, 31, 23, 59, 59, 999), 0, 1.5];
    const { rows } = await db.pool.query<{ us: string | null }>(
      named(
        `select (extract(epoch from t) * 1000000)::int8::text as us
           from unnest($1::timestamptz[]) with ordinality as u (t, n) order by n`,
        [timestamptzArray([...ms, null])],
      ),
    );
    expect(rows.map((r) => r.us)).toEqual([...ms.map((m) => String(m * 1000)), null]);
  });

  it('refuses a value that is not a finite time', () => {
    for (const bad of [Number.NaN, Infinity, 1e20, -1e20])
      expect(() => timestamptzArray([bad])).toThrow(RangeError);
  });
});

describe('textArray', () => {
  it('arrives as the same strings: quotes, backslashes, braces, commas, non-ASCII, empty and null', async () => {
    // Short and long (32 characters or more), ASCII and not: each takes its own path.
    const values = [
      'plain',
      'a "quoted", {braced} \\ back\\slash',
      '',
      null,
      'Zürich ₺ 😀',
      'NULL',
      'Zürich ₺ 😀 '.repeat(8),
      '{"a":1,"b":"'.padEnd(600, 'x'),
    ];
    const { rows } = await db.pool.query<{ v: string | null; n: string }>(
      named(`select v, n::text from unnest($1::text[]) with ordinality as u (v, n) order by n`, [
        textArray(values),
      ]),
    );
    expect(rows.map((r) => r.v)).toEqual(values);
  });

  it('sends an empty array as an empty array', async () => {
    expect(await echo('text', textArray([]))).toBe('{}');
  });

  it('sends char(n) elements for a char(n)[] parameter', async () => {
    expect(await echo('char(3)', textArray(['USD', null, 'EUR'], 'bpchar'))).toBe('{USD,NULL,EUR}');
  });

  it("is refused by the server, not mangled, when the element type is not the statement's", async () => {
    await expect(echo('char(3)', textArray(['USD']))).rejects.toThrow(/element type/);
  });
});
