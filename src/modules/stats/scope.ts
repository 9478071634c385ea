// Which provinces a staff member's statistics and risk lists cover. An admin sees every province
// (or the one asked for); an officer only its own, so a filter on another province covers nothing:
// the answer is empty, never a 404 (existence does not leak).
import { sql, type SQL } from 'drizzle-orm';
import type { Principal } from '../../plugins/auth.js';

export type ProvinceScope = { kind: 'all' } | { kind: 'provinces'; provinces: string[] };

export function provinceScope(p: Principal, provinceCode: string | undefined): ProvinceScope {
  if (p.kind !== 'stf') return { kind: 'provinces', provinces: [] };
  if (p.role === 'admin') return provinceCode ? { kind: 'provinces', provinces: [provinceCode] } : { kind: 'all' };
  const mine = [...new Set(p.provinces)].sort();
  return { kind: 'provinces', provinces: provinceCode ? mine.filter((c) => c === provinceCode) : mine };
}

export const isEmptyScope = (s: ProvinceScope): boolean => s.kind === 'provinces' && s.provinces.length === 0;

/** `and <column> in (…)` for a scope, or nothing for everywhere. Call only on a non-empty scope. */
export function inScope(column: SQL, s: ProvinceScope): SQL {
  if (s.kind === 'all') return sql``;
  return sql` and ${column} in (${sql.join(
    s.provinces.map((c) => sql`${c}`),
    sql`, `,
  )})`;
}
