/**
 * The XML-facing model of a cash-register invoice (format 2/h, cash-register-invoice.md §3).
 *
 * Every value here is already computed (amounts, words, codes, QR come from the domain rules);
 * this model only says what goes in which element. Field comments give the XML tag.
 */

/** `TSuat`: '0%', '5%', '8%', '10%', 'KCT', 'KKKNT' or 'KHAC:5.26'. */
export type VatRateText = string;

/** One `TTin` entry of a `TTKhac` block. */
export interface TTin {
  name: string; // TTruong
  type: 'string' | 'numeric' | 'date' | 'dateTime'; // KDLieu
  value: string; // DLieu (omitted from the XML when empty)
}

/** `TChat`: 1 goods/service, 2 promotion, 3 trade discount, 4 note. */
export type LineKind = 1 | 2 | 3 | 4;

/** One `HHDVu`. */
export interface InvoiceLine {
  index: number; // STT
  kind: LineKind; // TChat
  code?: string; // MHHDVu
  name: string; // THHDVu
  unit?: string; // DVTinh
  quantity?: string; // SLuong, decimal text, ≤ 6 decimals
  unitPrice?: string; // DGia, decimal text, ≤ 6 decimals
  discountRate?: string; // TLCKhau, percent as decimal text
  discountAmount?: number; // STCKhau, VND
  amount?: number; // ThTien, VND (negative on adjustments)
  vatRate?: VatRateText; // TSuat (never on form 2)
  extra?: TTin[]; // TTKhac
}

/** One `LTSuat` of `THTTLTSuat`. */
export interface RateTotal {
  rate: VatRateText; // TSuat
  beforeVat: number; // ThTien
  vat: number; // TThue
}

/** `TTHDLQuan`: the invoice a replacement or adjustment refers to. */
export interface RelatedInvoice {
  kind: 1 | 2; // TCHDon: 1 replaces, 2 adjusts
  form: number; // KHMSHDCLQuan
  symbol: string; // KHHDCLQuan, without the form digit
  number: number; // SHDCLQuan
  date: string; // NLHDCLQuan, YYYY-MM-DD
  note?: string; // GChu
}

export interface InvoiceSeller {
  name: string; // Ten
  taxCode: string; // MST
  address: string; // DChi
  phone?: string; // SDThoai
  extra?: TTin[]; // TTKhac
}

export interface InvoiceBuyer {
  name?: string; // Ten: the buyer's organisation, only together with taxCode
  taxCode?: string; // MST
  address?: string; // DChi
  phone?: string; // SDThoai
  personalId?: string; // CCCDan, 12 digits
  fullName?: string; // HVTNMHang: the person buying
  extra?: TTin[]; // TTKhac
}

export interface InvoiceTotals {
  byRate: RateTotal[]; // THTTLTSuat/LTSuat; empty for form 2
  beforeVat: number; // TgTCThue
  vat: number; // TgTThue
  tradeDiscount?: number; // TTCKTMai
  total: number; // TgTTTBSo
  totalInWords: string; // TgTTTBChu
  extra?: TTin[]; // TTKhac
}

export interface InvoiceModel {
  id: string; // DLHDon/@Id, unique per invoice: '_' + the invoice uuid without dashes
  version: string; // PBan, '2.1.0'
  form: number; // KHMSHDon 1..9
  symbol: string; // KHHDon, 6 chars 'C26MAA'
  number: number; // SHDon
  issueDate: string; // NLap, YYYY-MM-DD
  related?: RelatedInvoice; // TTHDLQuan
  general: TTin[]; // TTChung/TTKhac: Thời điểm lập, Thời điểm bán, DVTTe, TGia, HTTToan, MSTTCGP…
  seller: InvoiceSeller; // NDHDon/NBan
  buyer?: InvoiceBuyer; // NDHDon/NMua (empty element when absent)
  lines: InvoiceLine[]; // DSHHDVu/HHDVu
  totals: InvoiceTotals; // TToan
  qr?: string; // DLQRCode
  mttCode: string; // MCCQT, 23 chars
}

/** Format version of the 2025 update of the 1450/1510 family. */
export const INVOICE_FORMAT_VERSION = '2.1.0';

/** `LHDCLQuan` of a related invoice: 1 = an e-invoice under the current decree. */
export const RELATED_INVOICE_TYPE = 1;

/** `THDon` per form (`KHMSHDon`), Circular 91/2026. Forms 3–9 carry the cash-register suffix too. */
export const INVOICE_TITLES: Readonly<Record<number, string>> = Object.freeze({
  1: 'Hóa đơn giá trị gia tăng khởi tạo từ máy tính tiền',
  2: 'Hóa đơn bán hàng khởi tạo từ máy tính tiền',
  3: 'Hóa đơn bán tài sản công khởi tạo từ máy tính tiền',
  4: 'Hóa đơn bán hàng dự trữ quốc gia khởi tạo từ máy tính tiền',
  5: 'Tem, vé, thẻ điện tử khởi tạo từ máy tính tiền',
  6: 'Phiếu xuất kho kiêm vận chuyển nội bộ khởi tạo từ máy tính tiền',
  7: 'Hóa đơn thương mại khởi tạo từ máy tính tiền',
  8: 'Hóa đơn giá trị gia tăng tích hợp biên lai thu thuế, phí, lệ phí khởi tạo từ máy tính tiền',
  9: 'Hóa đơn bán hàng tích hợp biên lai thu thuế, phí, lệ phí khởi tạo từ máy tính tiền',
});

/**
 * Forms whose lines carry no `TSuat` and whose `TToan` has no `THTTLTSuat` (sellers on the
 * direct method). Only the sales invoice per §3; one place to change if more forms join.
 */
export const FORMS_WITHOUT_VAT: ReadonlySet<number> = new Set([2]);

/** Patterns shared by the builder, the parser and (textually) schemas/hdon-2h.xsd. */
export const PATTERNS = Object.freeze({
  symbol: /^[CK][0-9]{2}M[A-Z]{2}$/,
  /** Symbol of a related (original) invoice: any e-invoice kind letter, not only `M`. */
  relatedSymbol: /^[CK][0-9]{2}[A-Z][A-Z0-9]{2}$/,
  date: /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/,
  decimal: /^-?[0-9]+(\.[0-9]{1,6})?$/,
  vatRate: /^(?:0%|5%|8%|10%|KCT|KKKNT|KHAC:[0-9]{1,2}(?:\.[0-9]{1,2})?)$/,
  personalId: /^[0-9]{12}$/,
  mttCode: /^M[1-9]-[0-9]{2}-[A-Z0-9]{5}-[0-9]{11}$/,
  /** NCName-like, so `URI="#<Id>"` is a valid bare-name XPointer and `xs:ID` accepts it. */
  id: /^[A-Za-z_][A-Za-z0-9_.-]*$/,
  version: /^[0-9]+\.[0-9]+\.[0-9]+$/,
});

/** Largest `SHDon` (8 digits). */
export const MAX_INVOICE_NUMBER = 99_999_999;
