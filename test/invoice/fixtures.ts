/**
 * Invoice models for the invoice XML tests: the worked example of cash-register-invoice.md §4
 * and variants. Not a test file itself (tap runs it and finds no assertions).
 */
import type { InvoiceLine, InvoiceModel, TTin } from '../../src/invoice/model.js';

export const SELLER_TAX_CODE = '0101243150';
export const SAMPLE_QR =
  '00020199720010A00000077501100101243150020110306C26MAA0403123050820261127060623400063040F88';
export const SAMPLE_MTT_CODE = 'M1-26-A1B2C-00000001234';

const general: TTin[] = [
  { name: 'Thời điểm lập', type: 'dateTime', value: '2026-11-27T12:30:05' },
  { name: 'Thời điểm bán', type: 'dateTime', value: '2026-11-27T12:29:40' },
  { name: 'DVTTe', type: 'string', value: 'VND' },
  { name: 'TGia', type: 'numeric', value: '1' },
  { name: 'HTTToan', type: 'string', value: 'TM' },
  { name: 'MSTTCGP', type: 'string', value: '0100109106' },
];

const grossPrice = (price: number): TTin[] => [{ name: 'Đơn giá sau thuế', type: 'numeric', value: String(price) }];

/** Form 1, VAT-inclusive prices, the §4 worked example (invoice 123 of 1C26MAA, 234 000 ₫). */
export function sampleModel(overrides: Partial<InvoiceModel> = {}): InvoiceModel {
  return {
    id: '_0f8c2a8e5b7d4c1a9e3f6b2d8a4c7e10',
    version: '2.1.0',
    form: 1,
    symbol: 'C26MAA',
    number: 123,
    issueDate: '2026-11-27',
    general: general.map((e) => ({ ...e })),
    seller: {
      name: 'Công ty TNHH Nhà hàng Phở Việt',
      taxCode: SELLER_TAX_CODE,
      address: '12 Lý Thường Kiệt, phường Cửa Nam, Hà Nội',
      phone: '02439001234',
    },
    lines: [
      { index: 1, kind: 1, code: 'PHO01', name: 'Phở bò tái', unit: 'bát', quantity: '2', unitPrice: '60185', amount: 120370, vatRate: '8%', extra: grossPrice(65000) },
      { index: 2, kind: 1, code: 'CF02', name: 'Cà phê sữa đá', unit: 'cốc', quantity: '1', unitPrice: '26852', amount: 26852, vatRate: '8%', extra: grossPrice(29000) },
      { index: 3, kind: 1, code: 'BIA03', name: 'Bia Hà Nội', unit: 'chai', quantity: '3', unitPrice: '22727.333333', amount: 68182, vatRate: '10%', extra: grossPrice(25000) },
    ],
    totals: {
      byRate: [
        { rate: '8%', beforeVat: 147222, vat: 11778 },
        { rate: '10%', beforeVat: 68182, vat: 6818 },
      ],
      beforeVat: 215404,
      vat: 18596,
      total: 234000,
      totalInWords: 'Hai trăm ba mươi bốn nghìn đồng',
    },
    qr: SAMPLE_QR,
    mttCode: SAMPLE_MTT_CODE,
    ...overrides,
  };
}

/** Form 2 (sales invoice, direct method): no TSuat, no THTTLTSuat, TgTThue 0. */
export function form2Model(): InvoiceModel {
  const base = sampleModel();
  return sampleModel({
    id: '_form2',
    form: 2,
    mttCode: 'M2-26-A1B2C-00000001235',
    lines: base.lines.map(({ vatRate: _rate, ...l }) => l),
    totals: { byRate: [], beforeVat: 215404, vat: 0, total: 215404, totalInWords: 'Hai trăm mười lăm nghìn bốn trăm linh bốn đồng' },
    qr: undefined,
  });
}

/** `n` lines (5 lines: the benchmark size; 500: a large invoice). Totals are consistent. */
export function manyLinesModel(n: number): InvoiceModel {
  const lines: InvoiceLine[] = [];
  for (let i = 1; i <= n; i++) {
    lines.push({ index: i, kind: 1, code: `SP${i}`, name: `Món số ${i} – bún chả Hà Nội`, unit: 'phần', quantity: '1', unitPrice: '46296.296296', amount: 46296, vatRate: '8%', extra: grossPrice(50000) });
  }
  const beforeVat = 46296 * n;
  const total = 50000 * n;
  return sampleModel({
    id: `_many${n}`,
    lines,
    totals: { byRate: [{ rate: '8%', beforeVat, vat: total - beforeVat }], beforeVat, vat: total - beforeVat, total, totalInWords: 'Số tiền bằng chữ (không kiểm tra ở đây) đồng' },
  });
}

/** Markup characters, quotes, CR/TAB, decomposed Vietnamese (NFD) and an astral character. */
export function trickyModel(): InvoiceModel {
  const m = sampleModel({ id: '_tricky' });
  m.seller = { ...m.seller, name: 'Quán <Phở> & "Bún" \'Chả\' ]]> <NBan></NBan> AT&amp;T', address: 'Ngõ 5\r\nHà Nội\tVN' };
  m.lines[0] = { ...(m.lines[0] as InvoiceLine), name: 'Pho\u031B\u0309 bo\u0300 ta\u0301i <đặc biệt> & "nóng" 🍜' };
  m.general.push({ name: 'Ghi chú <&>"\'', type: 'string', value: 'a\r\nb > c & d < e "f" \'g\'' });
  m.totals = { ...m.totals, extra: [{ name: 'Ghi chú', type: 'string', value: 'Cảm ơn quý khách & hẹn gặp lại' }] };
  return m;
}

/** A person buying with a personal ID (CCCD), no tax code. */
export function personalBuyerModel(): InvoiceModel {
  return sampleModel({
    id: '_buyer_person',
    buyer: { fullName: 'Nguyễn Văn An', personalId: '001203001234', phone: '0912345678', address: 'Số 1 Tràng Tiền, Hà Nội' },
  });
}

/** An organisation buying with a tax code. */
export function companyBuyerModel(): InvoiceModel {
  return sampleModel({
    id: '_buyer_company',
    buyer: { name: 'Công ty Cổ phần ABC', taxCode: '0100109106', address: 'Số 2 Hai Bà Trưng, Hà Nội', fullName: 'Trần Thị Bình', extra: [{ name: 'Email', type: 'string', value: 'ketoan@abc.vn' }] },
  });
}

/** An adjustment (goods returned): negative amounts and a TTHDLQuan to the original. */
export function adjustmentModel(): InvoiceModel {
  return sampleModel({
    id: '_adjust',
    number: 124,
    mttCode: 'M1-26-A1B2C-00000001240',
    related: { kind: 2, form: 1, symbol: 'C26MAA', number: 123, date: '2026-11-27', note: 'Khách trả lại 1 cốc cà phê' },
    lines: [{ index: 1, kind: 1, name: 'Cà phê sữa đá', unit: 'cốc', quantity: '-1', unitPrice: '26852', amount: -26852, vatRate: '8%', discountRate: '0', discountAmount: 0 }],
    totals: { byRate: [{ rate: '8%', beforeVat: -26852, vat: -2148 }], beforeVat: -26852, vat: -2148, total: -29000, totalInWords: 'Âm hai mươi chín nghìn đồng', tradeDiscount: 0 },
    qr: undefined,
  });
}
