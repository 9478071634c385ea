// A table of invoices with a download of each one's signed XML (fetched with the Bearer header:
// staff reads of the XML are audited, and a plain link could not send the token).
import { useState } from 'preact/hooks';
import { download } from './api.ts';
import { dateTime, INVOICE_STATUS, money, provinceName, TX_STATUS } from './format.ts';
import type { InvoiceItem } from './types.ts';
import { Badge } from './ui.tsx';

const TX_TONE: Record<string, 'ok' | 'bad' | 'warn' | 'info'> = { accepted: 'ok', rejected: 'bad', pending: 'warn', sent: 'info' };

export function InvoiceTable(props: { items: InvoiceItem[]; showSeller?: boolean; signatures?: Map<string, { valid: boolean; reason?: string }> }) {
  const [error, setError] = useState<string | null>(null);
  async function xml(i: InvoiceItem) {
    setError(null);
    try {
      await download(`/v1/invoices/${i.id}/xml`, `${i.code}.xml`);
    } catch (err) {
      setError(`Không tải được XML của hóa đơn ${i.symbol} số ${i.number}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return (
    <>
      {error && (
        <p class="state error" role="alert">
          {error}
        </p>
      )}
      <table class="data invoices">
        <thead>
          <tr>
            <th scope="col">Thời điểm lập</th>
            {props.showSeller && <th scope="col">Người bán</th>}
            <th scope="col">Ký hiệu · số</th>
            <th scope="col">Mã của CQT</th>
            <th scope="col" class="num">Tổng tiền</th>
            <th scope="col">Trạng thái</th>
            <th scope="col">Truyền CQT</th>
            {props.signatures && <th scope="col">Chữ ký số</th>}
            <th scope="col">XML</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((i) => {
            const sig = props.signatures?.get(i.id);
            return (
              <tr data-invoice={i.id} data-province={i.provinceCode}>
                <td>{dateTime(i.issuedAt)}</td>
                {props.showSeller && (
                  <td>
                    <a href={`#/business/${encodeURIComponent(i.taxCode)}`}>{i.sellerName ?? i.taxCode}</a>
                    <div class="muted">
                      {i.taxCode} · {provinceName(i.provinceCode)}
                    </div>
                  </td>
                )}
                <td>
                  {i.symbol} · {i.number}
                </td>
                <td class="mono">{i.code}</td>
                <td class="num">{money(i.totals.total)}</td>
                <td>{INVOICE_STATUS[i.status] ?? i.status}</td>
                <td>
                  <Badge tone={TX_TONE[i.transmission.status] ?? 'info'}>{TX_STATUS[i.transmission.status] ?? i.transmission.status}</Badge>
                  {i.transmission.late && <Badge tone="warn">Muộn</Badge>}
                </td>
                {props.signatures && (
                  <td class="signature">
                    {sig ? sig.valid ? <Badge tone="ok">Hợp lệ</Badge> : <Badge tone="bad">Không hợp lệ: {sig.reason ?? ''}</Badge> : <span class="muted">Chưa kiểm tra</span>}
                  </td>
                )}
                <td>
                  <button type="button" class="small" onClick={() => xml(i)} aria-label={`Tải XML hóa đơn ${i.symbol} số ${i.number}`}>
                    Tải XML
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
