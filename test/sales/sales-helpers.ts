// Shared setup of the sales tests: the real app over a fresh database, an active business with a
// terminal, and the worked example of spec §4 as a sale.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { queryRows } from '../../src/db/client.js';
import { toIsoLocal } from '../../src/domain/dates.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createTerminal, type ActiveBusiness } from '../helpers/fixtures.js';

type Teardown = Parameters<typeof buildTestApp>[0];
type Options = Parameters<typeof buildTestApp>[1];

/** Phở bò tái 2 × 65 000 and Cà phê sữa đá 1 × 29 000 at 8 %, Bia Hà Nội 3 × 25 000 at 10 %, VAT-inclusive. */
export const WORKED_ITEMS = [
  { code: 'PHO01', name: 'Phở bò tái', unit: 'bát', quantity: 2, unitPrice: 65000, discount: 0, vatRate: '8%' },
  { code: 'CF02', name: 'Cà phê sữa đá', unit: 'cốc', quantity: 1, unitPrice: 29000, vatRate: '8%' },
  { code: 'BIA03', name: 'Bia Hà Nội', unit: 'chai', quantity: 3, unitPrice: 25000, vatRate: '10%' },
];

export function saleAt(soldAt: Date, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { soldAt: toIsoLocal(soldAt), pricesIncludeVat: true, items: structuredClone(WORKED_ITEMS), payment: { method: 'cash' }, ...extra };
}

export async function salesSetup(t: Teardown, opts: Options & { form?: 1 | 2 } = {}) {
  const { form, ...appOpts } = opts;
  const built = await buildTestApp(t, appOpts);
  const seller: ActiveBusiness = await createActiveBusiness(built.deps, { form });
  const terminal = await createTerminal(built.deps, seller.business.id);
  const { app, deps } = built;

  const post = (body: unknown, key: string | null = randomUUID(), token = terminal.token): Promise<LightMyRequestResponse> =>
    app.inject({
      method: 'POST',
      url: '/v1/sales',
      headers: { authorization: `Bearer ${token}`, ...(key === null ? {} : { 'idempotency-key': key }) },
      payload: body as object,
    });
  const postBatch = (sales: unknown[], token = terminal.token): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'POST', url: '/v1/sales/batch', headers: { authorization: `Bearer ${token}` }, payload: { sales } });
  /** A valid sale sold a minute ago (by the app's clock). */
  const sale = (extra: Record<string, unknown> = {}) => saleAt(new Date(deps.clock().getTime() - 60_000), extra);
  const count = async (table: 'invoices' | 'idempotency_keys' | 'buyer_links'): Promise<number> => {
    const [r] = await queryRows<{ n: number }>(deps.database.db, sql`select count(*)::int as n from ${sql.identifier(table)}`);
    return r!.n;
  };
  return { ...built, seller, terminal, post, postBatch, sale, count };
}

export type SalesSetup = Awaited<ReturnType<typeof salesSetup>>;
