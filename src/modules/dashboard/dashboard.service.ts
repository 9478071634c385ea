// The staff dashboard's own reads. Scoped like /v1/stats: an admin sees every province, an officer
// its own; a business outside them is a 404 (existence does not leak).
import type { Clock, Deps } from '../../deps.js';
import { addDays, businessDate, isBusinessDate } from '../../domain/dates.js';
import { formatSymbolWithForm } from '../../domain/codes.js';
import { PROVINCE_CODES, provinceName } from '../../domain/provinces.js';
import { invalid, type FieldError } from '../../lib/errors.js';
import type { Principal } from '../../plugins/auth.js';
import { verifyEnveloped } from '../../signing/xmldsig.js';
import { createBusinessesService } from '../businesses/businesses.service.js';
import { isEmptyScope, provinceScope } from '../stats/scope.js';
import { readGaps, readProvinces, readRecentXml, readSequences } from './dashboard.repo.js';
import type { ProvincesQuery } from './dashboard.schemas.js';

type Staff = Extract<Principal, { kind: 'stf' }>;

/** The longest range the province table sums (the daily rollups make any range one scan). */
const MAX_RANGE_DAYS = 366;
const GAPS_SHOWN = 20;
const SIGNATURES_CHECKED = 20;

const nameOf = (code: string): string => provinceName(code) ?? code;

export function createDashboardService(deps: Deps) {
  const db = deps.database.db;
  const clock: Clock = deps.clock;
  const businesses = createBusinessesService(deps);

  return {
    me(p: Staff) {
      const codes = p.role === 'admin' ? PROVINCE_CODES : [...new Set(p.provinces)].sort();
      return { role: p.role, provinces: codes.map((code) => ({ code, name: nameOf(code) })) };
    },

    async provinces(p: Principal, q: ProvincesQuery) {
      const to = q.to ?? businessDate(clock());
      const from = q.from ?? addDays(to, -29);
      const errors: FieldError[] = [];
      if (!isBusinessDate(from)) errors.push({ path: '/from', message: 'is not a date' });
      if (!isBusinessDate(to)) errors.push({ path: '/to', message: 'is not a date' });
      if (!errors.length && from > to) errors.push({ path: '/from', message: 'is after to' });
      if (!errors.length && from < addDays(to, -MAX_RANGE_DAYS)) errors.push({ path: '/from', message: `is more than ${MAX_RANGE_DAYS} days before to` });
      if (errors.length) throw invalid('validation.failed', errors);
      const scope = provinceScope(p, undefined);
      const rows = isEmptyScope(scope) ? [] : await readProvinces(db, scope, { from, to });
      return { from, to, items: rows.map((r) => ({ ...r, name: nameOf(r.provinceCode) })) };
    },

    async health(p: Principal, taxCode: string) {
      const b = await businesses.visibleBusiness(p, taxCode);
      const sequences = await Promise.all(
        (await readSequences(db, b.id)).map(async (s) => {
          const missing = s.last - s.invoices;
          const gaps = missing > 0 || s.first !== 1 ? await readGaps(db, b.id, s, GAPS_SHOWN) : [];
          if (s.first > 1) gaps.unshift({ from: 1, to: s.first - 1 });
          return {
            form: s.form,
            symbol: formatSymbolWithForm(s.form, s.symbol),
            first: s.first,
            last: s.last,
            invoices: s.invoices,
            missing,
            gaps: gaps.slice(0, GAPS_SHOWN),
            allocatedBeyond: s.allocatedBeyond,
            healthy: missing === 0 && s.allocatedBeyond === 0,
          };
        }),
      );
      const now = clock();
      const signatures = (await readRecentXml(db, b.id, SIGNATURES_CHECKED)).map((inv) => {
        const id = /<DLHDon Id="([^"]+)"/.exec(inv.xml)?.[1];
        if (!id) return { invoiceId: inv.id, valid: false, reason: 'the XML has no signed DLHDon' };
        const v = verifyEnveloped(inv.xml, { referenceId: id, signatureLocator: { containerTag: 'NBan' }, now });
        return v.ok ? { invoiceId: inv.id, valid: true } : { invoiceId: inv.id, valid: false, reason: v.reason };
      });
      return { taxCode: b.taxCode, sequences, signatures };
    },
  };
}
