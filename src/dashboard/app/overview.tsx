// The overview: tiles, invoice and revenue charts by hour, day or month (filtered by the header's
// province and, optionally, one business), and the table of provinces.
import { useMemo, useState } from 'preact/hooks';
import { api, query } from './api.ts';
import { ChartView } from './chart.tsx';
import { bucketLabel, duration, int, money, parseVnDate } from './format.ts';
import { useLoad } from './hooks.ts';
import type { Ctx, Overview, ProvinceRow, VolumePoint } from './types.ts';
import { ErrorBox, Show, Tile } from './ui.tsx';

type Granularity = 'hour' | 'day' | 'month';
const GRANULARITY: Record<Granularity, string> = { hour: 'Theo giờ (hôm nay)', day: 'Theo ngày (30 ngày)', month: 'Theo tháng (12 tháng)' };

export function OverviewPage(ctx: Ctx) {
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [taxCode, setTaxCode] = useState('');
  const [draft, setDraft] = useState({ taxCode: '', from: '', to: '' });
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);

  const overview = useLoad(() => api<Overview>(`/v1/stats/overview${query({ provinceCode: ctx.province })}`), [ctx.province]);
  const volume = useLoad(
    () => api<{ series: VolumePoint[] }>(`/v1/stats/volume${query({ granularity, provinceCode: ctx.province, taxCode, ...range })}`),
    [ctx.province, granularity, taxCode, range],
  );
  const provinces = useLoad(() => api<{ from: string; to: string; items: ProvinceRow[] }>('/v1/dashboard/provinces'), []);

  function apply(e: Event) {
    e.preventDefault();
    const t = draft.taxCode.trim();
    if (t && !/^(\d{10}(-\d{3})?|\d{12})$/.test(t)) return setFormError('Mã số thuế gồm 10 chữ số (chi nhánh: 10 chữ số, gạch ngang, 3 chữ số) hoặc 12 chữ số.');
    const from = draft.from.trim() ? parseVnDate(draft.from) : undefined;
    const to = draft.to.trim() ? parseVnDate(draft.to) : undefined;
    if (from === null || to === null) return setFormError('Ngày phải có dạng dd/mm/yyyy, ví dụ 27/11/2026.');
    if (from && to && from > to) return setFormError('"Từ ngày" phải trước hoặc bằng "Đến ngày".');
    setFormError(null);
    setTaxCode(t);
    setRange({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }

  const labels = useMemo(() => (volume.data?.series ?? []).map((p) => bucketLabel(p.bucket, granularity)), [volume.data]);
  const invoiceSeries = useMemo(() => [{ label: 'Số hóa đơn', kind: 'bar' as const, color: '#2563eb', values: (volume.data?.series ?? []).map((p) => p.invoices) }], [volume.data]);
  const revenueSeries = useMemo(
    () => [
      { label: 'Doanh thu chưa thuế', kind: 'line' as const, color: '#059669', values: (volume.data?.series ?? []).map((p) => p.revenue) },
      { label: 'Tổng tiền thanh toán', kind: 'line' as const, color: '#b45309', values: (volume.data?.series ?? []).map((p) => p.total) },
    ],
    [volume.data],
  );

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Tổng quan</h1>
      <Show state={overview} what="số liệu tổng quan">
        {(o) => (
          <div class="tiles" id="tiles">
            <Tile label="Cơ sở đã đăng ký" value={int(o.businesses.registered)} />
            <Tile label="Cơ sở có lập hóa đơn (7 ngày)" value={int(o.businesses.active)} />
            <Tile label="Máy tính tiền" value={int(o.terminals)} />
            <Tile label="Hóa đơn hôm nay" value={int(o.today.invoices)} />
            <Tile label="Doanh thu hôm nay (chưa thuế)" value={money(o.today.revenue)} note={`Tổng thanh toán ${money(o.today.total)}`} />
            <Tile
              label="Hóa đơn chờ CQT tiếp nhận"
              value={int(o.backlog.pending)}
              note={o.backlog.pending ? `Lâu nhất: ${duration(o.backlog.oldestAgeSeconds)}` : 'Không có hóa đơn tồn'}
              warn={o.backlog.oldestAgeSeconds > 6 * 3600}
            />
            <Tile label="Hóa đơn chuyển muộn (30 ngày)" value={int(o.lateInvoices)} warn={o.lateInvoices > 0} />
          </div>
        )}
      </Show>

      <h2>Số hóa đơn và doanh thu</h2>
      <form class="filters" onSubmit={apply} aria-label="Bộ lọc biểu đồ">
        <label>
          <span>Chia theo</span>
          <select id="granularity" value={granularity} onChange={(e) => setGranularity(e.currentTarget.value as Granularity)}>
            {(Object.keys(GRANULARITY) as Granularity[]).map((g) => (
              <option value={g}>{GRANULARITY[g]}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Mã số thuế cơ sở</span>
          <input id="chart-tax-code" inputMode="numeric" value={draft.taxCode} placeholder="Tất cả cơ sở" onInput={(e) => setDraft({ ...draft, taxCode: e.currentTarget.value })} />
        </label>
        <label>
          <span>Từ ngày</span>
          <input value={draft.from} placeholder="dd/mm/yyyy" onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />
        </label>
        <label>
          <span>Đến ngày</span>
          <input value={draft.to} placeholder="dd/mm/yyyy" onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />
        </label>
        <button type="submit">Áp dụng</button>
      </form>
      {formError && <ErrorBox message={formError} />}
      <Show state={volume} what="biểu đồ" empty={(v) => v.series.every((p) => p.invoices === 0)} emptyText="Không có hóa đơn nào trong khoảng thời gian và phạm vi đã chọn.">
        {() => (
          <div class="charts">
            <ChartView id="chart-invoices" title="Số hóa đơn" labels={labels} series={invoiceSeries} format={int} />
            <ChartView id="chart-revenue" title="Doanh thu" labels={labels} series={revenueSeries} format={money} />
          </div>
        )}
      </Show>

      <h2>Theo tỉnh, thành phố (30 ngày gần nhất)</h2>
      <Show state={provinces} what="bảng tỉnh, thành phố" empty={(p) => p.items.length === 0} emptyText="Chưa có cơ sở nào trong các tỉnh, thành phố bạn được giao.">
        {(p) => (
          <table class="data" id="province-table">
            <thead>
              <tr>
                <th scope="col">Tỉnh, thành phố</th>
                <th scope="col" class="num">Cơ sở</th>
                <th scope="col" class="num">Máy tính tiền</th>
                <th scope="col" class="num">Hóa đơn</th>
                <th scope="col" class="num">Doanh thu chưa thuế</th>
                <th scope="col" class="num">Chuyển muộn</th>
                <th scope="col" class="num">Cơ sở có dấu hiệu rủi ro</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((r) => (
                <tr data-province={r.provinceCode} class={ctx.province === r.provinceCode ? 'selected' : ''}>
                  <th scope="row">
                    <button type="button" class="link" onClick={() => ctx.setProvince(r.provinceCode)} aria-label={`Lọc theo ${r.name}`}>
                      {r.provinceCode} · {r.name}
                    </button>
                  </th>
                  <td class="num">{int(r.businesses)}</td>
                  <td class="num">{int(r.terminals)}</td>
                  <td class="num">{int(r.invoices)}</td>
                  <td class="num">{money(r.revenue)}</td>
                  <td class="num">{int(r.late)}</td>
                  <td class="num">{int(r.flagged)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}
