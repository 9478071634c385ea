/**
 * The registration form 01/ĐKTĐ-HĐĐT (message 100, authority-messages.md §2): the `TKhai` element
 * that goes into `DLieu`, with `DLTKhai Id` and the empty `<DSCKS><NNT></NNT></DSCKS>` the
 * seller's signature fills. Canonical text (canonical.ts), so signEnveloped can sign it in place:
 *
 *   const xml = buildEnvelope({ …, type: 100, taxCode }, buildRegistrationPayload(model));
 *   signEnveloped(xml, { signer, referenceId: model.id, placeholder: REGISTRATION_SIGNATURE_PLACEHOLDER, signingTime });
 */
import { InvoiceXmlError, canonicalAttr, integerElement, optionalText, patternText, requiredText, textElement } from './canonical.js';
import { PATTERNS } from './model.js';
import { localDateTime } from '../domain/dates.js';

export const REGISTRATION_MESSAGE_TYPE = 100;
export const REGISTRATION_FORM = '01/ĐKTĐ-HĐĐT';
export const REGISTRATION_TITLE = 'Tờ khai đăng ký/thay đổi thông tin sử dụng hóa đơn điện tử';
/** The empty taxpayer-signature element (unique in the message). */
export const REGISTRATION_SIGNATURE_PLACEHOLDER = '<NNT></NNT>';

/** `DSCTSSDung/CTS`: a certificate the seller signs with. */
export interface RegistrationCertificate {
  index: number; // STT
  issuer: string; // TTChuc: the CA organisation
  serial: string; // Seri: serial number, hex
  validFrom: Date | string; // TNgay: a Date, or 'YYYY-MM-DDThh:mm:ss' Vietnam time
  validTo: Date | string; // DNgay
  action: 1 | 2 | 3; // HThuc: 1 add, 2 renew, 3 stop
}

export interface RegistrationModel {
  id: string; // DLTKhai/@Id
  version: string; // PBan
  kind: 1 | 2; // HThuc: 1 new registration, 2 change (e.g. certificate renewal)
  business: { name: string; taxCode: string }; // TNNT, MST
  taxOffice: { name: string; code: string }; // CQTQLy, MCQTQLy (5 chars)
  legalRepresentative: {
    name: string; // TNDDPLuat
    phone: string; // DTDDPLuat
    personalId: string; // CCCDan, 12 digits
    passport?: string; // SHChieu
    birthDate: string; // NSDDPLuat, YYYY-MM-DD
    sex: 'male' | 'female'; // GTinh: 0 female, 1 male
  };
  contact: { address: string; email: string; name?: string; phone?: string }; // DCLHe DCTDTu NLHe DTLHe
  place: string; // DDanh
  date: string; // NLap, YYYY-MM-DD
  /** HTHDon: CMa, CMTMTTien (cash register with code: what this product registers), KCMTMTTien, KCMa. */
  invoiceKinds: { withCode: boolean; cashRegisterWithCode: boolean; cashRegisterWithoutCode: boolean; withoutCode: boolean };
  /** HTGDLHDDT: NNTDBKKhan, NNTKTDNUBND, CDLTTDCQT (directly), CDLQTCTN (via a provider: ours). */
  transmission: { difficultArea: boolean; provincialDecision: boolean; direct: boolean; viaProvider: boolean };
  /** PThuc: CDDu (full data of every invoice: required), CBTHop (summary table). */
  dataMethod: { fullData: boolean; summary: boolean };
  /** LHDSDung: HDGTGT, HDBHang, HDBTSCong, HDBHDTQGia, HDKhac, CTu. */
  invoiceTypes: { vat: boolean; sales: boolean; publicAssets: boolean; nationalReserve: boolean; other: boolean; documents: boolean };
  certificates: RegistrationCertificate[]; // DSCTSSDung
}

/** The options this product always registers: cash register with code, via the provider, full data. */
export const CASH_REGISTER_REGISTRATION: Pick<RegistrationModel, 'invoiceKinds' | 'transmission' | 'dataMethod'> = Object.freeze({
  invoiceKinds: { withCode: false, cashRegisterWithCode: true, cashRegisterWithoutCode: false, withoutCode: false },
  transmission: { difficultArea: false, provincialDecision: false, direct: false, viaProvider: true },
  dataMethod: { fullData: true, summary: false },
});

const TAX_CODE = /^(?:[0-9]{10}(?:-[0-9]{3})?|[0-9]{12})$/;
const OFFICE_CODE = /^[A-Z0-9]{5}$/;
const LOCAL_DATE_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$/;

const bit = (tag: string, v: boolean): string => '<' + tag + '>' + (v ? '1' : '0') + '</' + tag + '>';

function dateTime(v: Date | string, field: string): string {
  if (v instanceof Date) return localDateTime(v);
  return patternText(v, LOCAL_DATE_TIME, field);
}

function general(m: RegistrationModel): string {
  const r = m.legalRepresentative;
  if (m.kind !== 1 && m.kind !== 2) throw new InvoiceXmlError('kind', `HThuc must be 1 or 2, got ${String(m.kind)}`);
  if (r.sex !== 'male' && r.sex !== 'female') throw new InvoiceXmlError('legalRepresentative.sex', 'must be male or female');
  return (
    '<TTChung>' +
    '<PBan>' +
    patternText(m.version, PATTERNS.version, 'version') +
    '</PBan>' +
    textElement('MSo', REGISTRATION_FORM, 'form') +
    textElement('Ten', REGISTRATION_TITLE, 'title') +
    integerElement('HThuc', m.kind, 'kind') +
    requiredText('TNNT', m.business.name, 'business.name') +
    '<MST>' +
    patternText(m.business.taxCode, TAX_CODE, 'business.taxCode') +
    '</MST>' +
    requiredText('CQTQLy', m.taxOffice.name, 'taxOffice.name') +
    '<MCQTQLy>' +
    patternText(m.taxOffice.code, OFFICE_CODE, 'taxOffice.code') +
    '</MCQTQLy>' +
    requiredText('TNDDPLuat', r.name, 'legalRepresentative.name') +
    requiredText('DTDDPLuat', r.phone, 'legalRepresentative.phone') +
    '<CCCDan>' +
    patternText(r.personalId, PATTERNS.personalId, 'legalRepresentative.personalId') +
    '</CCCDan>' +
    optionalText('SHChieu', r.passport, 'legalRepresentative.passport') +
    '<NSDDPLuat>' +
    patternText(r.birthDate, PATTERNS.date, 'legalRepresentative.birthDate') +
    '</NSDDPLuat>' +
    bit('GTinh', r.sex === 'male') +
    requiredText('DCLHe', m.contact.address, 'contact.address') +
    requiredText('DCTDTu', m.contact.email, 'contact.email') +
    optionalText('NLHe', m.contact.name, 'contact.name') +
    optionalText('DTLHe', m.contact.phone, 'contact.phone') +
    requiredText('DDanh', m.place, 'place') +
    '<NLap>' +
    patternText(m.date, PATTERNS.date, 'date') +
    '</NLap>' +
    '</TTChung>'
  );
}

function certificates(list: readonly RegistrationCertificate[]): string {
  let out = '<DSCTSSDung>';
  list.forEach((c, i) => {
    const f = `certificates[${i}]`;
    if (c.action !== 1 && c.action !== 2 && c.action !== 3) throw new InvoiceXmlError(`${f}.action`, `HThuc must be 1, 2 or 3, got ${String(c.action)}`);
    out +=
      '<CTS>' +
      integerElement('STT', c.index, `${f}.index`) +
      requiredText('TTChuc', c.issuer, `${f}.issuer`) +
      requiredText('Seri', c.serial, `${f}.serial`) +
      '<TNgay>' +
      dateTime(c.validFrom, `${f}.validFrom`) +
      '</TNgay><DNgay>' +
      dateTime(c.validTo, `${f}.validTo`) +
      '</DNgay>' +
      integerElement('HThuc', c.action, `${f}.action`) +
      '</CTS>';
  });
  return out + '</DSCTSSDung>';
}

/** The `TKhai` element of a 100 (no XML declaration), ready to be wrapped by buildEnvelope. */
export function buildRegistrationPayload(m: RegistrationModel): string {
  if (typeof m.id !== 'string' || !PATTERNS.id.test(m.id)) throw new InvoiceXmlError('id', `invalid DLTKhai Id ${JSON.stringify(m.id)}`);
  if (m.certificates.length === 0) throw new InvoiceXmlError('certificates', 'at least one certificate (DSCTSSDung/CTS) is required');
  const k = m.invoiceKinds;
  const t = m.transmission;
  const d = m.dataMethod;
  const y = m.invoiceTypes;
  return (
    '<TKhai><DLTKhai Id="' +
    canonicalAttr(m.id, 'id') +
    '">' +
    general(m) +
    '<NDTKhai>' +
    '<HTHDon>' + bit('CMa', k.withCode) + bit('CMTMTTien', k.cashRegisterWithCode) + bit('KCMTMTTien', k.cashRegisterWithoutCode) + bit('KCMa', k.withoutCode) + '</HTHDon>' +
    '<HTGDLHDDT>' + bit('NNTDBKKhan', t.difficultArea) + bit('NNTKTDNUBND', t.provincialDecision) + bit('CDLTTDCQT', t.direct) + bit('CDLQTCTN', t.viaProvider) + '</HTGDLHDDT>' +
    '<PThuc>' + bit('CDDu', d.fullData) + bit('CBTHop', d.summary) + '</PThuc>' +
    '<LHDSDung>' + bit('HDGTGT', y.vat) + bit('HDBHang', y.sales) + bit('HDBTSCong', y.publicAssets) + bit('HDBHDTQGia', y.nationalReserve) + bit('HDKhac', y.other) + bit('CTu', y.documents) + '</LHDSDung>' +
    certificates(m.certificates) +
    '</NDTKhai></DLTKhai><DSCKS>' +
    REGISTRATION_SIGNATURE_PLACEHOLDER +
    '</DSCKS></TKhai>'
  );
}
