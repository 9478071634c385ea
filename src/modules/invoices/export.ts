// CSV export for staff: UTF-8 with a BOM (Excel then reads Vietnamese correctly), CRLF rows,
// every text cell quoted, and cells that a spreadsheet would run as a formula (= + - @, tab, CR)
// neutralised with a leading apostrophe. Rows are produced page by page from the keyset search,
// so memory stays at one page whatever the filter matches.
import { Readable } from 'node:stream';
import { localDateTime } from '../../domain/index.js';
import type { ListItemView } from './invoices.service.js';

export const BOM = '\uFEFF';
export const EXPORT_BATCH = 1000;

const COLUMNS: Array<[header: string, cell: (r: ListItemView) => string | number | boolean | null | undefined]> = [
  ['Mã số thuế', (r) => r.taxCode],
  ['Tên người bán', (r) => r.sellerName],
  ['Tỉnh/thành', (r) => r.provinceCode],
  ['Ký hiệu', (r) => r.symbol],
  ['Số hóa đơn', (r) => r.number],
  ['Mã của CQT', (r) => r.code],
  ['Thời điểm lập', (r) => r.issuedAt],
  ['Ngày lập', (r) => r.businessDate],
  ['Tiền trước thuế', (r) => r.totals.beforeVat],
  ['Tiền thuế GTGT', (r) => r.totals.vat],
  ['Tổng tiền thanh toán', (r) => r.totals.total],
  ['Trạng thái', (r) => r.status],
  ['Truyền nhận', (r) => r.transmission.status],
  ['Nhận muộn', (r) => r.transmission.late],
  ['Người mua', (r) => r.buyer?.name],
  ['Mã số thuế người mua', (r) => r.buyer?.taxCode],
  ['Số định danh người mua', (r) => r.buyer?.personalIdMasked],
  ['Mã hóa đơn (id)', (r) => r.id],
];

/** One cell: numbers as they are; text quoted, quotes doubled, formula triggers defused. */
export function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvRow(cells: Array<string | number | boolean | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const csvHeader = (): string => BOM + csvRow(COLUMNS.map(([h]) => h));

export function csvLines(items: ListItemView[]): string {
  return items.map((r) => csvRow(COLUMNS.map(([, cell]) => cell(r)))).join('');
}

/** `hoadon-20261128-0503.csv`, in Vietnamese local time. */
export function exportFileName(now: Date): string {
  const t = localDateTime(now);
  return `hoadon-${t.slice(0, 10).replace(/-/g, '')}-${t.slice(11, 16).replace(':', '')}.csv`;
}

/** The CSV as a stream of chunks, one per page; the next page is read only when the client takes the last. */
export function csvStream(pages: AsyncGenerator<ListItemView[]>): Readable {
  async function* chunks() {
    yield Buffer.from(csvHeader(), 'utf8');
    for await (const items of pages) yield Buffer.from(csvLines(items), 'utf8');
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}
