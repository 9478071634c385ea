// Vietnamese formatting, in Asia/Ho_Chi_Minh whatever the browser's own zone: money as
// 1.284.000 ₫, dates as dd/MM/yyyy, times as HH:mm dd/MM/yyyy.
import { PROVINCES } from '../../domain/provinces.ts';

const TZ = 'Asia/Ho_Chi_Minh';
const moneyFormat = new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND', maximumFractionDigits: 0 });
const intFormat = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

export const money = (n: number): string => moneyFormat.format(n);
export const int = (n: number): string => intFormat.format(n);

function localParts(at: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  const out = { year: '', month: '', day: '', hour: '', minute: '' };
  for (const p of partsFormat.formatToParts(at)) if (p.type in out) out[p.type as keyof typeof out] = p.value;
  return out;
}

const toDate = (x: string | Date): Date => (typeof x === 'string' ? new Date(x) : x);

/** An instant as dd/MM/yyyy (Vietnam time). */
export function date(x: string | Date): string {
  const p = localParts(toDate(x));
  return `${p.day}/${p.month}/${p.year}`;
}

/** An instant as HH:mm dd/MM/yyyy (Vietnam time). */
export function dateTime(x: string | Date): string {
  const p = localParts(toDate(x));
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
}

/** A business date YYYY-MM-DD as dd/MM/yyyy. */
export const businessDate = (d: string): string => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

/** Today's business date (YYYY-MM-DD) in Vietnam. */
export function today(now = new Date()): string {
  const p = localParts(now);
  return `${p.year}-${p.month}-${p.day}`;
}

export function addDays(d: string, days: number): string {
  const t = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** 'dd/MM/yyyy' typed by a person → 'YYYY-MM-DD', or null when it is not a real date. */
export function parseVnDate(s: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s);
  if (!m) return null;
  const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== iso ? null : iso;
}

/** A bucket start as its label: hour → "19:00 27/11", day → "27/11", month → "11/2026". */
export function bucketLabel(bucket: string, granularity: 'hour' | 'day' | 'month'): string {
  const p = localParts(new Date(bucket));
  if (granularity === 'hour') return `${p.hour}:00 ${p.day}/${p.month}`;
  if (granularity === 'day') return `${p.day}/${p.month}`;
  return `${p.month}/${p.year}`;
}

/** A duration in words: "3 giờ 5 phút", "2 ngày 4 giờ", "45 giây". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} giây`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} phút`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} giờ ${m % 60} phút`;
  return `${Math.floor(h / 24)} ngày ${h % 24} giờ`;
}

export const provinceName = (code: string): string => (PROVINCES as Record<string, string>)[code] ?? `Tỉnh ${code}`;

export const INVOICE_STATUS: Record<string, string> = { issued: 'Đã lập', replaced: 'Đã bị thay thế', adjusted: 'Đã điều chỉnh' };
export const TX_STATUS: Record<string, string> = {
  pending: 'Chờ gửi',
  sent: 'Đã gửi, chờ CQT',
  accepted: 'CQT đã tiếp nhận',
  rejected: 'CQT từ chối',
};
export const SEVERITY: Record<string, string> = { low: 'Thấp', medium: 'Trung bình', high: 'Cao' };
export const SIGNAL: Record<string, string> = {
  late_transmission: 'Chuyển hóa đơn đến CQT chậm',
  silent_terminal: 'Máy tính tiền ngừng lập hóa đơn',
  revenue_drop: 'Doanh thu giảm mạnh',
  low_revenue_per_terminal: 'Doanh thu mỗi máy thấp bất thường',
  off_hours_sales: 'Lập hóa đơn dồn ngoài giờ bán hàng',
  aggregated_invoices: 'Gộp nhiều lần bán vào một hóa đơn',
  shared_buyer_id: 'Một số định danh người mua dùng ở nhiều nơi',
  frequent_corrections: 'Thay thế, điều chỉnh hóa đơn nhiều bất thường',
};

/** The names of the risk engine's evidence figures (src/modules/risk/signals.ts). */
export const EVIDENCE: Record<string, string> = {
  lateAccepted: 'Hóa đơn CQT tiếp nhận sau thời hạn',
  pendingPastDeadline: 'Hóa đơn quá hạn chưa được tiếp nhận',
  invoices: 'Số hóa đơn của kỳ',
  share: 'Tỷ lệ',
  silentTerminals: 'Số máy ngừng lập hóa đơn',
  silentDays: 'Số ngày không lập hóa đơn',
  invoicesPerDayBefore: 'Hóa đơn/ngày trước đó',
  terminalsStillIssuing: 'Số máy vẫn lập hóa đơn',
  recentRevenue: 'Doanh thu gần đây (đ)',
  expectedRevenue: 'Doanh thu thường có (đ)',
  drop: 'Mức giảm',
  baselineWeeks: 'Số tuần so sánh',
  revenuePerTerminalDay: 'Doanh thu mỗi máy mỗi ngày (đ)',
  peerMedian: 'Trung vị cơ sở cùng ngành (đ)',
  ratio: 'Tỷ lệ so với trung vị',
  terminals: 'Số máy tính tiền',
  peers: 'Số cơ sở so sánh',
  averageTotal: 'Bình quân mỗi hóa đơn (đ)',
  peerMedianTotal: 'Trung vị mỗi hóa đơn cùng ngành (đ)',
  invoicesPerDay: 'Hóa đơn/ngày',
  peerMedianPerDay: 'Trung vị hóa đơn/ngày cùng ngành',
  ticketRatio: 'Gấp bao nhiêu lần trung vị',
  offHoursShare: 'Tỷ lệ lập ngoài giờ',
  baselineOffHoursShare: 'Tỷ lệ ngoài giờ trước đây',
  peakHoursRatio: 'Giờ cao điểm so với thường lệ',
  recentInvoices: 'Số hóa đơn gần đây',
  peakHours: 'Giờ cao điểm',
  idRef: 'Mã tham chiếu số định danh',
  usesHere: 'Số hóa đơn tại cơ sở này',
  businesses: 'Số cơ sở có số định danh này',
  provinces: 'Số tỉnh, thành phố',
  ids: 'Số định danh cùng dạng',
  corrections: 'Số hóa đơn thay thế, điều chỉnh',
  peerMedianShare: 'Tỷ lệ trung vị cùng ngành',
};
