// Invoices for the search, lookup and buyer tests: issued through the issuing service at a chosen
// time, optionally with a buyer's personal ID (indexed by its keyed hash, as the sales path does),
// and a way to put them in a transmission state without running the transmission.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Deps } from '../../src/deps.js';
import { invoices, invoiceTransmissions, unacceptedInvoices, type InvoiceStatus, type TransmissionStatus } from '../../src/db/schema/index.js';
import { computeInvoice } from '../../src/domain/amounts.js';
import type { LineInput } from '../../src/domain/line-input.js';
import { validatePersonalId } from '../../src/domain/personal-id.js';
import { lookupHash } from '../../src/lib/secrets.js';
import { issueInvoice, lockSellerIssuing, type InvoiceRow } from '../../src/modules/sales/issue.js';
import type { ActiveBusiness } from './fixtures.js';
import { testCa } from './certs.js';

export const PHO = { code: 'PHO01', name: 'Phở bò tái', unit: 'bát', unitPrice: 65000, vatRate: '8%' } as const;
export const CAFE = { code: 'CF02', name: 'Cà phê sữa đá', unit: 'cốc', unitPrice: 29000, vatRate: '8%' } as const;

export interface IssueOptions {
  at: Date;
  /** Default: one bowl of phở (65 000 VND). */
  items?: Array<LineInput & { quantity: number }>;
  buyer?: { personalId?: string; name?: string; address?: string };
  terminalId?: string | null;
}

/** One invoice, issued as the sales path does (seller lock, buyer ID hashed under LOOKUP_KEY). */
export async function issueAt(deps: Deps, b: ActiveBusiness, o: IssueOptions): Promise<InvoiceRow> {
  const items = o.items ?? [{ ...PHO, quantity: 1 }];
  const { lines, totals } = computeInvoice({ form: b.business.invoiceForm as 1 | 2, pricesIncludeVat: true, lines: items as LineInput[] });
  let buyerIdHash: string | undefined;
  if (o.buyer?.personalId) {
    const id = validatePersonalId(o.buyer.personalId, o.at);
    if (!id.ok) throw new Error(`test personal ID ${o.buyer.personalId} is invalid: ${id.message}`);
    buyerIdHash = lookupHash(deps.config.lookupKey, id.value);
  }
  return deps.database.db.transaction(async (tx) => {
    await lockSellerIssuing(tx, b.business.id);
    return issueInvoice(tx, {
      business: b.business,
      terminalId: o.terminalId ?? null,
      signer: b.signer,
      issuedAt: o.at,
      soldAt: o.at,
      pricesIncludeVat: true,
      paymentMethod: 'cash',
      ...(o.buyer ? { buyer: o.buyer } : {}),
      ...(buyerIdHash ? { buyerIdHash } : {}),
      lines,
      totals,
      formatVersion: deps.config.formatVersion,
      providerTaxCode: deps.config.providerTaxCode,
    });
  });
}

/** Sets what the transmission and corrections would have set, without running them. */
export async function setState(
  deps: Deps,
  invoiceId: string,
  s: { tx?: TransmissionStatus; status?: InvoiceStatus; late?: boolean },
): Promise<void> {
  const db = deps.database.db;
  if (s.status) await db.update(invoices).set({ status: s.status }).where(eq(invoices.id, invoiceId));
  if (s.tx === undefined && s.late === undefined) return;
  const set: Partial<typeof invoiceTransmissions.$inferInsert> = {};
  if (s.tx) {
    set.status = s.tx;
    set.messageId = s.tx === 'pending' ? null : `V0100109106${'0'.repeat(32)}`;
    if (s.tx === 'accepted') set.acceptedAt = new Date();
  }
  if (s.late !== undefined) set.late = s.late;
  // The work list as the answers leave it: accepted invoices leave it, rejected ones stay flagged.
  if (s.tx === 'accepted') await db.delete(unacceptedInvoices).where(eq(unacceptedInvoices.invoiceId, invoiceId));
  else if (s.tx) {
    await db
      .update(unacceptedInvoices)
      .set({ sent: s.tx === 'sent', rejected: s.tx === 'rejected' })
      .where(eq(unacceptedInvoices.invoiceId, invoiceId));
  }
  await db
    .insert(invoiceTransmissions)
    .values({ invoiceId, status: 'pending', ...set })
    .onConflictDoUpdate({ target: invoiceTransmissions.invoiceId, set });
}

/** xmlsec1 --verify of a signed invoice against the test CA: true when it prints OK. */
export function xmlsecVerifies(xml: Buffer | string): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hm-xmlsec-'));
  try {
    writeFileSync(path.join(dir, 'ca.pem'), testCa().certPem);
    writeFileSync(path.join(dir, 'invoice.xml'), xml);
    const run = spawnSync(
      'xmlsec1',
      [
        '--verify',
        '--enabled-reference-uris',
        'same-doc',
        '--id-attr:Id',
        'DLHDon',
        '--node-xpath',
        "//*[local-name()='DSCKS']/*[local-name()='NBan']/*[local-name()='Signature']",
        '--trusted-pem',
        'ca.pem',
        'invoice.xml',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    if (run.error) throw new Error(`xmlsec1 is needed for this test: ${run.error.message}`);
    const output = `${run.stdout}${run.stderr}`;
    return { ok: run.status === 0 && /^OK$/m.test(output), output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
