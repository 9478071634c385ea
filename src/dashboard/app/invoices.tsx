// Invoice search with the contract's filters (the header's province included), page by page,
// and the same filter exported as CSV.
import { useState } from 'preact/hooks';
import { api, download, query } from './api.ts';
import { parseVnDate } from './format.ts';
import { useLoad } from './hooks.ts';
import { InvoiceTable } from './invoice-table.tsx';
import type { Ctx, InvoiceItem, InvoicePage } from './types.ts';
import { ErrorBox, Loading, Show } from './ui.tsx';

interface Filter {
  taxCode?: string;
  from?: string;
  to?: string;
  status?: string;
  transmission?: string;
}

export function InvoicesPage(ctx: Ctx) {
  const [draft, setDraft] = useState({ taxCode: '', from: '', to: '', status: '', transmission: '' });
  const [filter, setFilter] = useState<Filter>({});
  const [more, setMore] = useState<{ items: InvoiceItem[]; cursor: string | null; loading: boolean }>({ items: [], cursor: null, loading: false });
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const params = { ...filter, provinceCode: ctx.province };
  const first = useLoad(async () => {
    const page = await api<InvoicePage>(`/v1/invoices${query({ ...params, limit: 50 })}`);
    setMore({ items: [], cursor: page.nextCursor, loading: false });
    return page;
  }, [ctx.province, filter]);

  function apply(e: Event) {
    e.preventDefault();
    const taxCode = draft.taxCode.trim();
    if (taxCode && !/^(\d{10}(-\d{3})?|\d{12})$/.test(taxCode)) return setMessage({ error: true, text: 'Mã số thuế gồm 10 chữ số (hoặc 10-3, hoặc 12 chữ số).' });
    const from = draft.from.trim() ? parseVnDate(draft.from) : undefined;
    const to = draft.to.trim() ? parseVnDate(draft.to) : undefined;
    if (from === null || to === null) return setMessage({ error: true, text: 'Ngày phải có dạng dd/mm/yyyy, ví dụ 27/11/2026.' });
    setMessage(null);
    setFilter({ taxCode, from, to, status: draft.status, transmission: draft.transmission });
  }

  async function loadMore() {
    if (!more.cursor) return;
    setMore({ ...more, loading: true });
    try {
      const page = await api<InvoicePage>(`/v1/invoices${query({ ...params, limit: 50, cursor: more.cursor })}`);
      setMore({ items: [...more.items, ...page.items], cursor: page.nextCursor, loading: false });
    } catch (err) {
      setMore({ ...more, loading: false });
      setMessage({ error: true, text: err instanceof Error ? err.message : String(err) });
    }
  }

  async function exportCsv() {
    setMessage({ error: false, text: 'Đang xuất tệp CSV…' });
    try {
      const name = await download(`/v1/invoices/export${query(params)}`, 'hoa-don.csv');
      setMessage({ error: false, text: `Đã tải về tệp ${name}.` });
    } catch (err) {
      setMessage({ error: true, text: `Không xuất được CSV: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  const field = (k: keyof typeof draft) => ({ value: draft[k], onInput: (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value }) });
  return (
    <section aria-labelledby="invoices-title">
      <h1 id="invoices-title">Hóa đơn</h1>
      <form class="filters" onSubmit={apply} aria-label="Bộ lọc hóa đơn">
        <label>
          <span>Mã số thuế người bán</span>
          <input id="invoice-tax-code" inputMode="numeric" placeholder="Tất cả" {...field('taxCode')} />
        </label>
        <label>
          <span>Từ ngày</span>
          <input placeholder="dd/mm/yyyy" {...field('from')} />
        </label>
        <label>
          <span>Đến ngày</span>
          <input placeholder="dd/mm/yyyy" {...field('to')} />
        </label>
        <label>
          <span>Trạng thái</span>
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value })}>
            <option value="">Tất cả</option>
            <option value="issued">Đã lập</option>
            <option value="replaced">Đã bị thay thế</option>
            <option value="adjusted">Đã điều chỉnh</option>
          </select>
        </label>
        <label>
          <span>Truyền CQT</span>
          <select value={draft.transmission} onChange={(e) => setDraft({ ...draft, transmission: e.currentTarget.value })}>
            <option value="">Tất cả</option>
            <option value="pending">Chờ gửi</option>
            <option value="sent">Đã gửi, chờ CQT</option>
            <option value="accepted">CQT đã tiếp nhận</option>
            <option value="rejected">CQT từ chối</option>
          </select>
        </label>
        <button type="submit">Tìm</button>
        <button type="button" id="export-csv" onClick={exportCsv}>
          Xuất CSV
        </button>
      </form>
      {message && (message.error ? <ErrorBox message={message.text} /> : <p class="state" role="status">{message.text}</p>)}
      <Show state={first} what="hóa đơn" empty={(p) => p.items.length === 0} emptyText="Không có hóa đơn nào khớp bộ lọc.">
        {(p) => (
          <>
            <InvoiceTable items={[...p.items, ...more.items]} showSeller />
            {more.loading && <Loading what="thêm hóa đơn" />}
            {more.cursor && !more.loading && (
              <button type="button" onClick={loadMore}>
                Xem thêm
              </button>
            )}
          </>
        )}
      </Show>
    </section>
  );
}
