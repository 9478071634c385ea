// A buyer's invoices by personal ID. The ID goes in the request body, never in the URL, and the
// officer must say why: every search, refused ones included, is written to the audit log.
import { useState } from 'preact/hooks';
import { api } from './api.ts';
import { dateTime, int, money, provinceName } from './format.ts';
import type { Ctx } from './types.ts';
import { Empty, ErrorBox, Loading } from './ui.tsx';

interface BuyerResult {
  personalId: string;
  items: Array<{ invoiceId: string; taxCode: string; sellerName: string; provinceCode: string; issuedAt: string; total: number; code: string; symbol: string; number: number }>;
  summary: { count: number; total: number; first: string | null; last: string | null };
  truncated: boolean;
}

export function BuyersPage(_ctx: Ctx) {
  const [personalId, setPersonalId] = useState('');
  const [reason, setReason] = useState('');
  const [state, setState] = useState<{ status: 'idle' | 'loading' } | { status: 'error'; error: string } | { status: 'ok'; data: BuyerResult }>({ status: 'idle' });

  async function search(e: Event) {
    e.preventDefault();
    const id = personalId.replace(/\s/g, '');
    if (!/^\d{12}$/.test(id)) return setState({ status: 'error', error: 'Số định danh cá nhân (CCCD) gồm đúng 12 chữ số.' });
    if (reason.trim().length < 5) return setState({ status: 'error', error: 'Hãy ghi lý do tra cứu (ít nhất 5 ký tự), ví dụ số hồ sơ hoặc văn bản yêu cầu.' });
    setState({ status: 'loading' });
    try {
      setState({ status: 'ok', data: await api<BuyerResult>('/v1/buyers/search', { method: 'POST', body: { personalId: id, reason: reason.trim() } }) });
    } catch (err) {
      setState({ status: 'error', error: err instanceof Error ? err.message : String(err) });
    }
  }

  return (
    <section aria-labelledby="buyers-title">
      <h1 id="buyers-title">Tra cứu hóa đơn theo người mua</h1>
      <form class="stack" onSubmit={search} id="buyer-form">
        <label for="buyer-id">Số định danh cá nhân (CCCD, 12 chữ số)</label>
        <input id="buyer-id" inputMode="numeric" autoComplete="off" maxLength={14} value={personalId} onInput={(e) => setPersonalId(e.currentTarget.value)} />
        <label for="buyer-reason">Lý do tra cứu (bắt buộc)</label>
        <textarea id="buyer-reason" rows={2} maxLength={500} aria-describedby="reason-help" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <p id="reason-help" class="muted">
          Mỗi lần tra cứu được ghi vào nhật ký kiểm tra: người tra cứu, thời điểm, lý do và số kết quả. Kết quả gồm mọi tỉnh, thành phố bạn được giao,
          không theo bộ lọc tỉnh ở đầu trang.
        </p>
        <button type="submit" disabled={state.status === 'loading'}>
          Tra cứu
        </button>
      </form>
      {state.status === 'loading' && <Loading what="kết quả tra cứu" />}
      {state.status === 'error' && <ErrorBox message={state.error} />}
      {state.status === 'ok' && <BuyerResults r={state.data} />}
    </section>
  );
}

function BuyerResults({ r }: { r: BuyerResult }) {
  if (r.summary.count === 0) return <Empty>Không có hóa đơn nào mang số định danh {r.personalId} trong phạm vi bạn được giao.</Empty>;
  return (
    <div id="buyer-results">
      <p class="summary">
        Số định danh <strong>{r.personalId}</strong>: {int(r.summary.count)} hóa đơn, tổng {money(r.summary.total)}
        {r.summary.first && r.summary.last ? `, từ ${dateTime(r.summary.first)} đến ${dateTime(r.summary.last)}` : ''}.
        {r.truncated ? ' Chỉ hiện các hóa đơn mới nhất.' : ''}
      </p>
      <table class="data">
        <thead>
          <tr>
            <th scope="col">Thời điểm lập</th>
            <th scope="col">Người bán</th>
            <th scope="col">Tỉnh, thành phố</th>
            <th scope="col">Ký hiệu · số</th>
            <th scope="col">Mã của CQT</th>
            <th scope="col" class="num">Tổng tiền</th>
          </tr>
        </thead>
        <tbody>
          {r.items.map((i) => (
            <tr>
              <td>{dateTime(i.issuedAt)}</td>
              <td>
                <a href={`#/business/${encodeURIComponent(i.taxCode)}`}>{i.sellerName}</a> <span class="muted">{i.taxCode}</span>
              </td>
              <td>{provinceName(i.provinceCode)}</td>
              <td>
                {i.symbol} · {i.number}
              </td>
              <td class="mono">{i.code}</td>
              <td class="num">{money(i.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
