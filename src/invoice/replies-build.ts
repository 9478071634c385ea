/**
 * The authority's replies (authority-messages.md §3, §5, §6, §7) as the simulator writes them:
 * 999 (unsigned), 102, 103, 204 and 301 (each with `DLTBao Id` and an empty `<CQT></CQT>` the
 * authority's signature goes into; the 103 also has `STBao Id` and `<TTCQT></TTCQT>`).
 * Canonical text throughout (canonical.ts), so signEnveloped can sign the result as it is, and
 * src/transmission/replies.ts `readReply` reads every one of them.
 */
import { canonicalAttr, integerElement, optionalText, requiredText, textElement } from './canonical.js';
import { buildEnvelope } from './message.js';
import { businessDate, localDateTime } from '../domain/dates.js';

/** The authority's code as sender (`MNGui`) of its replies. */
export const AUTHORITY_SENDER = 'TCT';
/** Where the authority's signature goes (every signed reply). */
export const AUTHORITY_SIGNATURE_PLACEHOLDER = '<CQT></CQT>';
/** Where the head of the tax office signs the stamp (`STBao`) of a 103. */
export const AUTHORITY_HEAD_SIGNATURE_PLACEHOLDER = '<TTCQT></TTCQT>';

export const REPLY_FORMS = Object.freeze({
  received102: { form: '01/TB-TNĐT', title: 'Thông báo về việc tiếp nhận/không tiếp nhận tờ khai đăng ký/thay đổi thông tin sử dụng hóa đơn điện tử' },
  result103: { form: '01/TB-ĐKĐT', title: 'Thông báo về việc chấp nhận/không chấp nhận đăng ký/thay đổi thông tin sử dụng hóa đơn điện tử' },
  check204: { form: '01/TB-KTDL', title: 'Thông báo về việc kết quả kiểm tra dữ liệu hóa đơn điện tử' },
  notice301: { form: '01/TB-SSĐT', title: 'Thông báo về việc tiếp nhận và kết quả xử lý về việc hóa đơn điện tử đã lập có sai sót' },
});

/** Envelope of a reply: addressed back to the request's sender, naming the request. */
export interface ReplyEnvelope {
  version: string; // PBan
  messageId: string; // MTDiep of the reply, 'TCT' + 32 uppercase hex
  replyTo: string; // MTDTChieu: the request's MTDiep
  receiver: string; // MNNhan: the request's MNGui
  taxCode?: string; // MST (the seller; never on a 999)
}

export interface ReplyReason {
  code: string; // MLoi
  message: string; // MTa (or the description part of MTLoi on a 204)
  fix?: string; // HDXLy
  note?: string; // GChu
}

export interface UnsignedReply {
  xml: string;
  /** `DLTBao/@Id`, the element the authority signs into `<CQT></CQT>`. */
  dataId: string;
  /** `STBao/@Id` of a 103, signed into `<TTCQT></TTCQT>`. */
  stampId?: string;
}

const date = (d: Date): string => businessDate(d);
const dateTime = (d: Date): string => localDateTime(d);
const flag = (tag: string, v: number, f: string): string => integerElement(tag, v, f);

function envelope(e: ReplyEnvelope, type: number, payload: string, count?: number): string {
  return buildEnvelope(
    {
      version: e.version,
      sender: AUTHORITY_SENDER,
      receiver: e.receiver,
      type,
      messageId: e.messageId,
      replyTo: e.replyTo,
      ...(e.taxCode === undefined ? {} : { taxCode: e.taxCode }),
      ...(count === undefined ? {} : { count }),
    },
    payload,
  );
}

/** `DSLDo`/`DSLDKCNhan`-style list of `LDo{MLoi MTa}`; always present, empty when no reasons. */
function reasonList(tag: string, reasons: readonly ReplyReason[], field: string): string {
  let out = '<' + tag + '>';
  reasons.forEach((r, i) => {
    out += '<LDo>' + textElement('MLoi', r.code, `${field}[${i}].code`) + textElement('MTa', r.message, `${field}[${i}].message`) + '</LDo>';
  });
  return out + '</' + tag + '>';
}

function openData(dataId: string, version: string, form: { form: string; title: string }): string {
  return (
    '<DLTBao Id="' +
    canonicalAttr(dataId, 'dataId') +
    '">' +
    requiredText('PBan', version, 'version') +
    textElement('MSo', form.form, 'form') +
    textElement('Ten', form.title, 'title')
  );
}

const SIGNATURES = '<DSCKS>' + AUTHORITY_SIGNATURE_PLACEHOLDER + '</DSCKS>';

// ---- 999 ---------------------------------------------------------------------------------

export interface Ack999 {
  requestSender: string; // TBao/MNGui: who sent the request
  receivedAt: Date; // NNhan
  received: boolean; // TTTNhan 0 received, 1 error
  reasons: ReplyReason[]; // DSLDo
}

/** The technical acknowledgement: unsigned, without MST and SLuong. */
export function buildAck999(e: ReplyEnvelope, a: Ack999): string {
  const payload =
    '<TBao>' +
    textElement('MTDiep', e.replyTo, 'replyTo') +
    textElement('MNGui', a.requestSender, 'requestSender') +
    textElement('NNhan', dateTime(a.receivedAt), 'receivedAt') +
    flag('TTTNhan', a.received ? 0 : 1, 'received') +
    reasonList('DSLDo', a.reasons, 'reasons') +
    '</TBao>';
  const { taxCode: _omit, ...withoutMst } = e;
  return envelope(withoutMst, 999, payload);
}

// ---- 102 ---------------------------------------------------------------------------------

export interface Receipt102 {
  dataId: string;
  noticeNumber: string; // So
  place: string; // DDanh
  date: Date; // NTBao
  taxCode: string; // MST
  sellerName: string; // TNNT
  declarationName: string; // TTKhai
  requestId: string; // MGDDTu: the 100's MTDiep
  sentAt: Date; // TGGui
  /** THop: 1 received, 2 not received, 3 change received, 4 change not received. */
  status: 1 | 2 | 3 | 4;
  receivedAt: Date; // TGNhan
  reasons: ReplyReason[]; // DSLDKCNhan
}

export function buildReceipt102(e: ReplyEnvelope, m: Receipt102): UnsignedReply {
  const data =
    openData(m.dataId, e.version, REPLY_FORMS.received102) +
    textElement('So', m.noticeNumber, 'noticeNumber') +
    textElement('DDanh', m.place, 'place') +
    textElement('NTBao', date(m.date), 'date') +
    textElement('MST', m.taxCode, 'taxCode') +
    textElement('TNNT', m.sellerName, 'sellerName') +
    textElement('TTKhai', m.declarationName, 'declarationName') +
    textElement('MGDDTu', m.requestId, 'requestId') +
    textElement('TGGui', dateTime(m.sentAt), 'sentAt') +
    flag('THop', m.status, 'status') +
    textElement('TGNhan', dateTime(m.receivedAt), 'receivedAt') +
    reasonList('DSLDKCNhan', m.reasons, 'reasons') +
    '</DLTBao>';
  return { xml: envelope(e, 102, '<TBao>' + data + SIGNATURES + '</TBao>', 1), dataId: m.dataId };
}

// ---- 103 ---------------------------------------------------------------------------------

export interface Result103 {
  dataId: string;
  stampId: string; // STBao/@Id
  place: string; // DDanh
  superiorOffice: string; // TCQTCTren
  office: string; // TCQT
  taxCode: string; // MST
  sellerName: string; // TNNT
  date: Date; // Ngay
  registrationKind: 1 | 2; // HTDKy: 1 new, 2 change
  /** MCCQT: the seller's 5-char code, when accepted for cash-register invoices with code. */
  mttCode?: string;
  accepted: boolean; // TTXNCQT 1 / 2
  signerMethod: string; // HThuc, e.g. 'KT. CỤC TRƯỞNG'
  signerTitle: string; // CDanh
  reasons: ReplyReason[]; // DSLDKCNhan
  noticeNumber: string; // STBao/So
  noticeDate: Date; // STBao/NTBao
}

export function buildResult103(e: ReplyEnvelope, m: Result103): UnsignedReply {
  const data =
    openData(m.dataId, e.version, REPLY_FORMS.result103) +
    textElement('DDanh', m.place, 'place') +
    textElement('TCQTCTren', m.superiorOffice, 'superiorOffice') +
    textElement('TCQT', m.office, 'office') +
    textElement('MST', m.taxCode, 'taxCode') +
    textElement('TNNT', m.sellerName, 'sellerName') +
    textElement('Ngay', date(m.date), 'date') +
    flag('HTDKy', m.registrationKind, 'registrationKind') +
    optionalText('MCCQT', m.mttCode, 'mttCode') +
    flag('TTXNCQT', m.accepted ? 1 : 2, 'accepted') +
    textElement('HThuc', m.signerMethod, 'signerMethod') +
    textElement('CDanh', m.signerTitle, 'signerTitle') +
    reasonList('DSLDKCNhan', m.reasons, 'reasons') +
    '</DLTBao>';
  const stamp =
    '<STBao Id="' +
    canonicalAttr(m.stampId, 'stampId') +
    '">' +
    textElement('So', m.noticeNumber, 'noticeNumber') +
    textElement('NTBao', date(m.noticeDate), 'noticeDate') +
    '</STBao>';
  const signatures = '<DSCKS>' + AUTHORITY_HEAD_SIGNATURE_PLACEHOLDER + AUTHORITY_SIGNATURE_PLACEHOLDER + '</DSCKS>';
  return { xml: envelope(e, 103, '<TBao>' + data + stamp + signatures + '</TBao>', 1), dataId: m.dataId, stampId: m.stampId };
}

// ---- 204 ---------------------------------------------------------------------------------

export interface RejectedInvoice {
  form: number; // KHMSHDon
  symbol: string; // KHHDon
  number: number | string; // SHDon
  code: string; // MLoi
  description: string; // after `KHMSHDon;KHHDon;SHDon;` in MTLoi
  fix?: string; // HDXLy
  note?: string; // GChu
}

export interface CheckResult204 {
  dataId: string;
  noticeNumber: string; // So
  place: string; // DDanh
  date: Date; // NTBao
  taxCode: string; // MST
  sellerName: string; // TNNT
  sentAt: Date; // TGGui: when the 206 arrived
  /** LTBao: 2 all valid, 7 the listed invoices invalid, 9 the whole package invalid. */
  result: 2 | 7 | 9;
  legalBasis: string; // CCu
  requestId: string; // MGDDTu: the 206's MTDiep
  count: number; // SLuong: invoices in the 206
  /** LHDMTTien/DSLDo: one per rejected invoice (LTBao 7, and 9 when every invoice failed). */
  rejected: RejectedInvoice[];
  /** KHLKhac/DSLDo (LTBao 9). */
  reasons: ReplyReason[];
}

export function buildCheckResult204(e: ReplyEnvelope, m: CheckResult204): UnsignedReply {
  let data =
    openData(m.dataId, e.version, REPLY_FORMS.check204) +
    textElement('So', m.noticeNumber, 'noticeNumber') +
    textElement('DDanh', m.place, 'place') +
    textElement('NTBao', date(m.date), 'date') +
    textElement('MST', m.taxCode, 'taxCode') +
    textElement('TNNT', m.sellerName, 'sellerName') +
    textElement('TGGui', dateTime(m.sentAt), 'sentAt') +
    flag('LTBao', m.result, 'result') +
    textElement('CCu', m.legalBasis, 'legalBasis') +
    textElement('MGDDTu', m.requestId, 'requestId') +
    integerElement('SLuong', m.count, 'count');
  if (m.rejected.length > 0) {
    data += '<LHDMTTien><DSLDo>';
    m.rejected.forEach((r, i) => {
      const f = `rejected[${i}]`;
      data +=
        '<LDo>' +
        integerElement('STT', i + 1, `${f}.index`) +
        textElement('MLoi', r.code, `${f}.code`) +
        textElement('MTLoi', `${r.form};${r.symbol};${r.number};${r.description}`, `${f}.description`) +
        textElement('HDXLy', r.fix ?? '', `${f}.fix`) +
        textElement('GChu', r.note ?? '', `${f}.note`) +
        '</LDo>';
    });
    data += '</DSLDo></LHDMTTien>';
  }
  if (m.reasons.length > 0) data += '<KHLKhac>' + reasonList('DSLDo', m.reasons, 'reasons') + '</KHLKhac>';
  data += '</DLTBao>';
  return { xml: envelope(e, 204, '<TBao>' + data + SIGNATURES + '</TBao>', 1), dataId: m.dataId };
}

// ---- 301 ---------------------------------------------------------------------------------

export interface NoticeItem301 {
  index: number; // STT
  mttCode: string; // MCQTCap
  form: number | string; // KHMSHDon
  symbol: string; // KHHDon
  number: number | string; // SHDon
  date: string; // NLap, YYYY-MM-DD (as given in the 303)
  kind: string; // LADHDDT
  action: string; // TCTBao
  received: boolean; // TTTNCCQT 1 / 2
  reasons: ReplyReason[]; // DSLDKTNhan
}

export interface NoticeResult301 {
  dataId: string;
  place: string; // DDanh
  superiorOffice: string; // TCQTCTren
  office: string; // TCQT
  sellerName: string; // TNNT
  taxCode: string; // MST
  requestId: string; // MGDDTu: the 303's MTDiep
  receivedAt: Date; // TGNhan
  sequence: number; // STTThe
  signerMethod: string; // HThuc
  signerTitle: string; // CDanh
  reasons: ReplyReason[]; // DSLDKCNhan: about the notice as a whole
  items: NoticeItem301[]; // DSHDon
  noticeNumber: string; // STBao/So
  noticeDate: Date; // STBao/NTBao
}

export function buildNoticeResult301(e: ReplyEnvelope, m: NoticeResult301): UnsignedReply {
  let data =
    openData(m.dataId, e.version, REPLY_FORMS.notice301) +
    textElement('DDanh', m.place, 'place') +
    textElement('TCQTCTren', m.superiorOffice, 'superiorOffice') +
    textElement('TCQT', m.office, 'office') +
    textElement('TNNT', m.sellerName, 'sellerName') +
    textElement('MST', m.taxCode, 'taxCode') +
    textElement('MGDDTu', m.requestId, 'requestId') +
    textElement('TGNhan', dateTime(m.receivedAt), 'receivedAt') +
    integerElement('STTThe', m.sequence, 'sequence') +
    textElement('HThuc', m.signerMethod, 'signerMethod') +
    textElement('CDanh', m.signerTitle, 'signerTitle') +
    reasonList('DSLDKCNhan', m.reasons, 'reasons') +
    '<DSHDon>';
  m.items.forEach((h, i) => {
    const f = `items[${i}]`;
    data +=
      '<HDon>' +
      integerElement('STT', h.index, `${f}.index`) +
      textElement('MCQTCap', h.mttCode, `${f}.mttCode`) +
      textElement('KHMSHDon', String(h.form), `${f}.form`) +
      textElement('KHHDon', h.symbol, `${f}.symbol`) +
      textElement('SHDon', String(h.number), `${f}.number`) +
      textElement('NLap', h.date, `${f}.date`) +
      textElement('LADHDDT', h.kind, `${f}.kind`) +
      textElement('TCTBao', h.action, `${f}.action`) +
      flag('TTTNCCQT', h.received ? 1 : 2, `${f}.received`) +
      reasonList('DSLDKTNhan', h.reasons, `${f}.reasons`) +
      '</HDon>';
  });
  data += '</DSHDon></DLTBao>';
  const stamp = '<STBao>' + textElement('So', m.noticeNumber, 'noticeNumber') + textElement('NTBao', date(m.noticeDate), 'noticeDate') + '</STBao>';
  return { xml: envelope(e, 301, '<TBao>' + data + stamp + SIGNATURES + '</TBao>', 1), dataId: m.dataId };
}
