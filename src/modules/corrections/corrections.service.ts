// Corrections under Circular 91/2026 Art. 10: an issued invoice is never cancelled. A wrong one is
// replaced by a new invoice that references it (TTHDLQuan, TCHDon 1), returns and price changes are
// adjustment invoices with signed amounts (TCHDon 2), and minor errors are explained to the
// authority in a 303. Replacements and adjustments are issued like sales (same numbering, signing,
// idempotency and transmission); the original's state is read and changed under the seller's
// issuing lock, so two corrections of one invoice cannot both see it unreplaced.
import { eq, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { queryRows, type Db, type Tx } from '../../db/client.js';
import { invoices } from '../../db/schema/index.js';
import type { Clock } from '../../deps.js';
import { formatSymbolWithForm, toIsoLocal } from '../../domain/index.js';
import { parseInvoice } from '../../invoice/parse.js';
import { xmlStoreOf } from '../../invoice/xml-store.js';
import type { RelatedInvoice } from '../../invoice/model.js';
import { lookupHash } from '../../lib/secrets.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import { findBusinessById, type BusinessRow } from '../businesses/businesses.repo.js';
import { selectInvoicesWithTransmission } from '../invoices/invoices.repo.js';
import { findAnswer, type KeyRef } from '../sales/idempotency.repo.js';
import { fromXmlBuyer } from '../sales/invoice-document.js';
import type { InvoiceRow } from '../sales/issue.js';
import {
  hashRequest,
  invoiceView,
  notActive,
  replay,
  type IssueOnce,
  type SaleOutcome,
  type SalesDeps,
} from '../sales/sales.service.js';
import { prepareAdjustment, prepareSale } from '../sales/sale-input.js';
import type { AdjustBody, ExplainBody, ReplaceBody } from './corrections.schemas.js';
import { insertNotice, type Notices } from './notices.js';

/** Who corrects: a business key (no terminal) or one of its terminals. */
export interface Corrector {
  businessId: string;
  terminalId: string | null;
}

export interface CorrectionsDeps {
  db: Db;
  config: SalesDeps['config'] & Pick<Config, 'publicUrl'>;
  clock: Clock;
  issueOnce(o: IssueOnce): Promise<SaleOutcome>;
  notices: Pick<Notices, 'releaseFor'>;
  log: { warn(obj: object, msg: string): void };
}

type Action = 'replace' | 'adjust' | 'explain';

export const alreadyReplaced = (): AppError =>
  conflict('invoice.already_replaced', 'This invoice was already replaced; correct its replacement instead');
export const rejectedByAuthority = (): AppError =>
  conflict('invoice.rejected', 'The tax authority rejected this invoice: it has no legal effect to correct; post the sale again');

export function createCorrectionsService(d: CorrectionsDeps) {
  /** The original when it is the caller's business's; 404 otherwise, whether it exists or not. */
  async function original(c: Corrector, id: string): Promise<InvoiceRow> {
    const [row] = await selectInvoicesWithTransmission(d.db).where(eq(invoices.id, id));
    if (!row || row.businessId !== c.businessId) throw notFound('Invoice');
    return row;
  }

  async function activeBusiness(c: Corrector): Promise<BusinessRow & { mttCode: string }> {
    const business = await findBusinessById(d.db, c.businessId);
    if (!business || business.status !== 'active' || !business.mttCode) throw notActive();
    return business as BusinessRow & { mttCode: string };
  }

  /** Locks the original for the rest of the transaction and checks what the action may do to it. */
  async function lockOriginal(tx: Tx, id: string, action: Action): Promise<void> {
    const [row] = await queryRows<{ status: string; tx_status: string | null }>(tx, sql`select i.status, t.status as tx_status from invoices i left join invoice_transmissions t on t.invoice_id = i.id
          where i.id = ${id} for update of i`);
    if (!row) throw notFound('Invoice');
    if (row.tx_status === 'rejected') throw rejectedByAuthority();
    if (action !== 'explain' && row.status === 'replaced') throw alreadyReplaced();
  }

  /** Keys of business-key callers live beside their terminals' keys, under the business's id. */
  const keyRef = (c: Corrector, key: string): KeyRef => ({ terminalId: c.terminalId ?? c.businessId, key });

  function issueCorrection(
    c: Corrector,
    orig: InvoiceRow,
    o: Pick<IssueOnce, 'ref' | 'requestHash' | 'business' | 'requestedAt'> & { kind: 'replacement' | 'adjustment'; related: RelatedInvoice; prepared: Omit<Awaited<ReturnType<IssueOnce['prepare']>>, 'kind' | 'related'> },
  ): Promise<SaleOutcome> {
    const action = o.kind === 'replacement' ? 'replace' : 'adjust';
    return d.issueOnce({
      ref: o.ref,
      requestHash: o.requestHash,
      business: o.business,
      terminalId: c.terminalId,
      requestedAt: o.requestedAt,
      prepare: async (tx) => {
        await lockOriginal(tx, orig.id, action);
        return { ...o.prepared, kind: o.kind, related: { invoiceId: orig.id, xml: o.related } };
      },
      after: async (tx) => {
        // An adjusted invoice stays adjusted; a replaced one is replaced whatever it was.
        const status = o.kind === 'replacement' ? sql`'replaced'` : sql`case when status = 'replaced' then status else 'adjusted' end`;
        await tx.execute(sql`update invoices set status = ${status} where id = ${orig.id}`);
      },
      view: (row) => correctionView(row, orig, d.config.publicUrl),
    });
  }

  return {
    async replace(c: Corrector, id: string, key: string, body: ReplaceBody): Promise<SaleOutcome> {
      const ref = keyRef(c, key);
      const requestHash = hashRequest({ action: 'replace', invoiceId: id, body });
      const earlier = await findAnswer(d.db, ref);
      if (earlier) return replay(earlier, requestHash);
      const orig = await original(c, id);
      const business = await activeBusiness(c);
      const requestedAt = d.clock();
      const { reason, ...sale } = body;
      const prepared = prepareSale(sale, business.invoiceForm === 2 ? 2 : 1, requestedAt, d.config, orig.soldAt);
      return issueCorrection(c, orig, { ref, requestHash, business, requestedAt, kind: 'replacement', related: related(orig, 1, reason), prepared });
    },

    async adjust(c: Corrector, id: string, key: string, body: AdjustBody): Promise<SaleOutcome> {
      const ref = keyRef(c, key);
      const requestHash = hashRequest({ action: 'adjust', invoiceId: id, body });
      const earlier = await findAnswer(d.db, ref);
      if (earlier) return replay(earlier, requestHash);
      const orig = await original(c, id);
      const business = await activeBusiness(c);
      const requestedAt = d.clock();
      const computed = prepareAdjustment(body.items, orig.form === 2 ? 2 : 1, orig.pricesIncludeVat, requestedAt, d.config);
      // The buyer in full (personal ID included) is only in the legal XML.
      const buyer = fromXmlBuyer(parseInvoice((await xmlStoreOf(d.db).byInvoiceIds(d.db, [orig.id])).get(orig.id)!).buyer);
      const prepared = {
        ...computed,
        soldAt: requestedAt,
        pricesIncludeVat: orig.pricesIncludeVat,
        paymentMethod: orig.paymentMethod as ReplaceBody['payment']['method'],
        ...(buyer ? { buyer } : {}),
        ...(buyer?.personalId ? { buyerIdHash: lookupHash(d.config.lookupKey, buyer.personalId) } : {}),
      };
      return issueCorrection(c, orig, { ref, requestHash, business, requestedAt, kind: 'adjustment', related: related(orig, 2, body.reason), prepared });
    },

    /** 303 for a minor error: recorded now, sent once the invoice is accepted (at once if it is). */
    async explain(c: Corrector, id: string, body: ExplainBody) {
      const orig = await original(c, id);
      const now = d.clock();
      const notice = await d.db.transaction(async (tx) => {
        await lockOriginal(tx, orig.id, 'explain');
        return insertNotice(tx, { invoiceId: orig.id, businessId: orig.businessId, action: 4, reason: body.reason, now });
      });
      let status: string = notice.status;
      if (orig.txStatus === 'accepted') {
        // Never fails the request: the reconciler releases what is left waiting.
        await d.notices
          .releaseFor(orig.businessId)
          .then((messageId) => (status = messageId ? 'sent' : status))
          .catch((err: unknown) => d.log.warn({ err, invoiceId: orig.id }, 'could not send the notice yet; the reconciler will'));
      }
      return { noticeId: notice.id, invoiceId: orig.id, status };
    },
  };
}

export type CorrectionsService = ReturnType<typeof createCorrectionsService>;

/** TTHDLQuan of a correction: the original's form, symbol, number and date, and the reason. */
function related(orig: InvoiceRow, kind: 1 | 2, note: string | undefined): RelatedInvoice {
  return { kind, form: orig.form, symbol: orig.symbol, number: orig.number, date: orig.businessDate, ...(note ? { note } : {}) };
}

function correctionView(row: InvoiceRow, orig: InvoiceRow, publicUrl: string) {
  const ref = { invoiceId: orig.id, symbol: formatSymbolWithForm(orig.form, orig.symbol), number: orig.number, issuedAt: toIsoLocal(orig.issuedAt) };
  return { ...invoiceView(row, publicUrl), kind: row.kind, ...(row.kind === 'replacement' ? { replaces: ref } : { adjusts: ref }) };
}
