// A 303 is judged against schemas/tdiep-303.xsd (authority-messages.md §7, §8.1): one that does
// not follow it is not taken in (999 TTTNhan=1, 10005), even when correctly signed.
import t from 'tap';
import { buildMessageId } from '../../src/domain/codes.js';
import { buildEnvelope } from '../../src/invoice/message.js';
import { buildErrorNoticePayload, NOTICE_SIGNATURE_PLACEHOLDER, type ErrorNoticeModel } from '../../src/invoice/notice.js';
import { signEnveloped } from '../../src/signing/xmldsig.js';
import type { Reply } from '../../src/transmission/replies.js';
import { SELLER_CODE, SELLER_TAX_CODE, SENDER, header, invoiceModel, message206, sellerSigner, signInvoice, startTestSim } from './helpers.js';

const ts = await startTestSim(t);

/** A signed 303 about `invoice`, its unsigned text edited by `edit` first (so the signature holds). */
const keep = (x: string): string => x;

function notice303(invoice: ReturnType<typeof invoiceModel>, edit: (unsigned: string) => string = keep): { id: string; xml: string } {
  const id = buildMessageId(SENDER);
  const model: ErrorNoticeModel = {
    id: `_tb${id.slice(-12)}`,
    version: '2.1.0',
    kind: 1,
    taxOffice: { code: '10100', name: 'Thuế cơ sở 1 thành phố Hà Nội' },
    seller: { name: invoice.seller.name, taxCode: SELLER_TAX_CODE },
    place: 'Hà Nội',
    date: invoice.issueDate,
    invoices: [
      { index: 1, mttCode: invoice.mttCode, form: invoice.form, symbol: invoice.symbol, number: invoice.number, date: invoice.issueDate, action: 4, reason: 'Sai tên người mua' },
    ],
  };
  const built = buildEnvelope(header(303, { messageId: id, taxCode: SELLER_TAX_CODE, count: 1 }), buildErrorNoticePayload(model));
  const unsigned = edit(built);
  if (edit !== keep && unsigned === built) throw new Error('the edit changed nothing');
  const xml = signEnveloped(unsigned, { signer: sellerSigner(), referenceId: model.id, placeholder: NOTICE_SIGNATURE_PLACEHOLDER, signingTime: new Date() });
  return { id, xml };
}

t.test('a schema-valid 303 gets its 301; one with TCTBao 1 or without LDo is refused by the 999', async (t) => {
  t.equal((await ts.post('/_sim/sellers', { taxCode: SELLER_TAX_CODE, mttCode: SELLER_CODE })).status, 201);
  const accepted = invoiceModel(1);
  const m206 = message206([signInvoice(accepted)]);
  t.equal((await ts.send(m206)).received, true);
  t.equal((await ts.replies(m206.id)).find((r): r is Extract<Reply, { type: 204 }> => r.type === 204)?.result, 2, 'the invoice is accepted');

  const good = notice303(accepted);
  t.equal((await ts.send(good)).received, true, 'a valid 303 is taken in');
  const r301 = (await ts.replies(good.id)).find((r): r is Extract<Reply, { type: 301 }> => r.type === 301);
  t.same(r301?.items.map((i) => i.received), [true], 'and its invoice is received');

  const invalid: Array<[string, (x: string) => string, RegExp]> = [
    ['TCTBao 1', (x) => x.replace('<TCTBao>4</TCTBao>', '<TCTBao>1</TCTBao>'), /TCTBao/],
    ['no LDo', (x) => x.replace(/<LDo>[^<]*<\/LDo>/, ''), /LDo/],
  ];
  for (const [what, edit, element] of invalid) {
    const m = notice303(accepted, edit);
    const ack = await ts.send(m);
    t.equal(ack.received, false, `${what}: not taken in`);
    t.same(ack.reasons.map((r) => r.code), ['10005'], `${what}: refused as not following the XSD`);
    t.match(ack.reasons[0]?.message, element, `${what}: the reason names the element`);
    t.same((await ts.replies(m.id)).map((r) => r.type), [999], `${what}: no 301`);
  }
});
