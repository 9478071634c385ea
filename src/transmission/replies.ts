// What the authority's replies mean for us, read from their XML (authority-messages.md §3, §5, §6).
import { parseMessage, type PlainObject, type PlainValue } from '../invoice/parse.js';

export interface Reason {
  code: string;
  message: string;
  fix?: string;
}

export type Reply =
  | { type: 999; replyTo: string; received: boolean; reasons: Reason[] }
  | { type: 102; replyTo: string; received: boolean; reasons: Reason[] }
  | { type: 103; replyTo: string; accepted: boolean; mttCode?: string; reasons: Reason[] }
  | {
      type: 204;
      replyTo: string;
      /** 2 all valid, 7 the listed invoices invalid, 9 the whole package invalid. */
      result: 2 | 7 | 9;
      /** LTBao 7: one per rejected invoice, keyed `form;symbol;number`. */
      rejected: Array<{ key: string; reason: Reason }>;
      reasons: Reason[];
    }
  | { type: 301; replyTo: string; items: Array<{ key: string; received: boolean; reasons: Reason[] }>; reasons: Reason[] }
  | { type: number; replyTo: string; unknown: true };

const obj = (v: PlainValue | undefined): PlainObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const str = (v: PlainValue | undefined): string => (typeof v === 'string' ? v : '');
const list = (v: PlainValue | undefined): PlainValue[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function reasons(block: PlainValue | undefined): Reason[] {
  return list(obj(block).LDo).map((l) => {
    const o = obj(l);
    const r: Reason = { code: str(o.MLoi), message: str(o.MTa) || str(o.MTLoi) };
    if (str(o.HDXLy)) r.fix = str(o.HDXLy);
    return r;
  });
}

/** `KHMSHDon;KHHDon;SHDon;description` → the invoice key and the description. */
export function splitInvoiceError(mtLoi: string): { key: string; description: string } {
  const parts = mtLoi.split(';');
  return { key: parts.slice(0, 3).join(';'), description: parts.slice(3).join(';') };
}

export const invoiceKey = (form: number, symbol: string, number: number): string => `${form};${symbol};${number}`;

export function readReply(xml: string): Reply {
  const m = parseMessage(xml);
  const replyTo = m.header.replyTo ?? '';
  const tbao = obj(m.payload.TBao);
  const data = obj(tbao.DLTBao);
  switch (m.header.type) {
    case 999:
    case -1:
      return { type: 999, replyTo: str(tbao.MTDiep) || replyTo, received: str(tbao.TTTNhan) === '0', reasons: reasons(tbao.DSLDo) };
    case 102:
      return { type: 102, replyTo, received: ['1', '3'].includes(str(data.THop)), reasons: reasons(data.DSLDKCNhan) };
    case 103: {
      const r: Reply = { type: 103, replyTo, accepted: str(data.TTXNCQT) === '1', reasons: reasons(data.DSLDKCNhan) };
      if (str(data.MCCQT)) r.mttCode = str(data.MCCQT);
      return r;
    }
    case 204: {
      const lt = Number(str(data.LTBao));
      const result = lt === 2 || lt === 7 ? lt : 9;
      const rejected = reasons(obj(obj(data.LHDMTTien).DSLDo)).map((r) => {
        const { key, description } = splitInvoiceError(r.message);
        return { key, reason: { ...r, message: description || r.message } };
      });
      return { type: 204, replyTo, result, rejected, reasons: reasons(obj(obj(data.KHLKhac).DSLDo)) };
    }
    case 301: {
      const items = list(obj(data.DSHDon).HDon).map((h) => {
        const o = obj(h);
        return {
          key: invoiceKey(Number(str(o.KHMSHDon)), str(o.KHHDon), Number(str(o.SHDon))),
          received: str(o.TTTNCCQT) === '1',
          reasons: reasons(o.DSLDKTNhan),
        };
      });
      return { type: 301, replyTo, items, reasons: reasons(data.DSLDKCNhan) };
    }
    default:
      return { type: m.header.type, replyTo, unknown: true };
  }
}
