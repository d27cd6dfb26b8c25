import { describe, expect, it } from 'vitest';
import { compileCondition, evaluateCondition, isConditionProblem } from './cel.js';
import { classifySql, SqlClassificationError } from './sql-statement.js';

describe('classifySql', () => {
  it.each([
    ['SELECT id, total FROM orders WHERE total > 10', ['select'], ['orders'], true],
    [
      'select * from public.orders o join items i on i.order_id = o.id',
      ['select'],
      ['public.orders', 'items'],
      true,
    ],
    ['DELETE FROM orders', ['delete'], ['orders'], false],
    ['DROP TABLE orders', ['drop'], ['orders'], false],
    ['select 1; drop table orders', ['drop', 'select'], ['orders'], false],
    ['UPDATE orders SET total = 0', ['update'], ['orders'], false],
    ['INSERT INTO audit SELECT * FROM orders', ['insert', 'select'], ['audit', 'orders'], false],
    ['TRUNCATE orders', ['truncate'], ['orders'], false],
    ['SELECT * INTO copy FROM orders', ['select_into'], ['orders'], false],
  ])('classifies %s', (text, kinds, tables, readOnly) => {
    const c = classifySql(text);
    expect([...c.kinds].sort()).toEqual([...kinds].sort());
    expect([...c.tables].sort()).toEqual([...tables].sort());
    expect(c.readOnly).toBe(readOnly);
  });

  it('reads MySQL when PostgreSQL cannot, and names functions a SELECT calls', () => {
    expect(classifySql('SELECT * FROM orders LIMIT 1, 10').dialect).toBe('mysql');
    expect(classifySql('select pg_sleep(10)').functions).toContain('pg_sleep');
  });

  it.each([
    'SELEC * FROM orders',
    'WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d',
    '',
    'x'.repeat(70_000),
  ])('fails closed on what it cannot parse: %s', (text) => {
    expect(() => classifySql(text.slice(0, 80_000))).toThrow(SqlClassificationError);
  });
});

describe('sql() in CEL', () => {
  it('denies destructive statements through a read tool, and errors on what it cannot parse', () => {
    const destructive = compileCondition('!sql(args.sql).readOnly');
    if (isConditionProblem(destructive)) throw new Error(destructive.message);
    const run = (sql: string) => evaluateCondition(destructive, { args: { sql } });
    expect(run('select * from orders')).toBe(false);
    expect(run('DELETE FROM orders')).toBe(true);
    expect(run('DROP TABLE orders')).toBe(true);
    expect(typeof run('SELEC 1')).toBe('string');
    const tables = compileCondition(
      '"orders" in sql(args.sql, "mysql").tables && sql(args.sql).statements == 1',
    );
    if (isConditionProblem(tables)) throw new Error(tables.message);
    expect(evaluateCondition(tables, { args: { sql: 'select * from orders' } })).toBe(true);
  });
});
