// The shared data set of the search tests: 40 invoices over 3 businesses in 2 provinces, on seven
// days, at four times of day (two of them on either side of midnight in Asia/Ho_Chi_Minh), with
// every invoice status and transmission status, a terminal on half of A's.
import type { LightMyRequestResponse } from 'fastify';
import type { InvoiceStatus, TransmissionStatus } from '../../src/db/schema/index.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createBusinessKey, createStaff, createTerminal, type ActiveBusiness } from '../helpers/fixtures.js';
import { CAFE, issueAt, PHO, setState } from '../helpers/invoices.js';

type Teardown = Parameters<typeof buildTestApp>[0];

export interface Spec {
  i: number;
  biz: 'A' | 'B' | 'C';
  /** Local date (Asia/Ho_Chi_Minh). */
  date: string;
  at: Date;
  total: number;
  tx: TransmissionStatus;
  status: InvoiceStatus;
  terminal: boolean;
  id: string;
  code: string;
  taxCode: string;
  province: string;
}

const TIMES = ['00:10:00', '08:30:00', '13:45:00', '23:55:00'];
const TX: TransmissionStatus[] = ['pending', 'accepted', 'accepted', 'sent', 'rejected'];

/** The i-th invoice of the data set, before it is issued. */
export function plan(i: number) {
  const biz = (['A', 'B', 'C'] as const)[i % 3]!;
  const date = `2026-11-${String(20 + (i % 7)).padStart(2, '0')}`;
  const at = new Date(`${date}T${TIMES[i % 4]}+07:00`);
  const bowls = 1 + (i % 4);
  const withCafe = i % 6 === 5;
  // Totals: 65 000 a bowl, 29 000 a coffee (VAT included).
  const total = bowls * 65000 + (withCafe ? 29000 : 0);
  const status: InvoiceStatus = i % 11 === 0 ? 'replaced' : i % 13 === 0 ? 'adjusted' : 'issued';
  return { i, biz, date, at, bowls, withCafe, total, tx: TX[i % 5]!, status, terminal: biz === 'A' && i % 2 === 0 };
}

export const N = 40;

/** Serial GET of the app with a bearer token. */
export type Get = (url: string, token?: string) => Promise<LightMyRequestResponse>;

export async function searchSetup(t: Teardown) {
  // The reconciler would transmit the pending invoices under the test's feet: once at start only.
  const built = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  const { app, deps } = built;
  const businesses: Record<'A' | 'B' | 'C', ActiveBusiness> = {
    A: await createActiveBusiness(deps, { provinceCode: '01', name: 'Nhà hàng Phở Việt' }),
    B: await createActiveBusiness(deps, { provinceCode: '01', name: 'Quán Cà phê Hồ Gươm' }),
    C: await createActiveBusiness(deps, { provinceCode: '79', name: 'Cơm tấm Sài Gòn' }),
  };
  const terminalA = await createTerminal(deps, businesses.A.business.id);
  const plans = Array.from({ length: N }, (_, i) => plan(i)).sort((x, y) => x.at.getTime() - y.at.getTime());
  const specs: Spec[] = [];
  for (const p of plans) {
    const b = businesses[p.biz];
    const items = [{ ...PHO, quantity: p.bowls }, ...(p.withCafe ? [{ ...CAFE, quantity: 1 }] : [])];
    const row = await issueAt(deps, b, { at: p.at, items, terminalId: p.terminal ? terminalA.id : null });
    if (row.total !== p.total) throw new Error(`total ${row.total} != ${p.total}`);
    await setState(deps, row.id, { tx: p.tx, status: p.status });
    specs.push({ ...p, id: row.id, code: row.mttCode, taxCode: b.business.taxCode, province: b.business.provinceCode });
  }
  const tokens = {
    admin: (await createStaff(deps, 'admin')).token,
    officer01: (await createStaff(deps, 'officer', ['01'])).token,
    officer79: (await createStaff(deps, 'officer', ['79'])).token,
    officerBoth: (await createStaff(deps, 'officer', ['79', '01'])).token,
    bizA: await createBusinessKey(deps, businesses.A.business.id),
    bizC: await createBusinessKey(deps, businesses.C.business.id),
    trmA: terminalA.token,
  };
  const get: Get = (url, token) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  /** Every item of a search, page by page (limit 7), with the pages seen. */
  async function all(query: string, token: string): Promise<{ ids: string[]; pages: number; items: Array<Record<string, unknown>> }> {
    const items: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = query ? '&' : '';
      const res = await get(`/v1/invoices?${query}${sep}limit=7${cursor ? `&cursor=${cursor}` : ''}`, token);
      if (res.statusCode !== 200) throw new Error(`GET ${query} → ${res.statusCode} ${res.body}`);
      const body = res.json() as { items: Array<Record<string, unknown>>; nextCursor: string | null };
      items.push(...body.items);
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { ids: items.map((x) => x.id as string), pages, items };
  }

  /** The expected ids of a predicate, newest first (ties: id descending, as the API orders). */
  const expected = (pred: (s: Spec) => boolean): string[] =>
    specs
      .filter(pred)
      .sort((x, y) => y.at.getTime() - x.at.getTime() || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0))
      .map((s) => s.id);

  return { ...built, app, deps, businesses, terminalA, specs, tokens, get, all, expected };
}
