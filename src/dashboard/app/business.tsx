// One business: who it is, its terminals, its risk signals, daily revenue against its usual level
// (the same weekday of the four weeks before, as the risk engine reads it), the health of its
// number series and its newest invoices with their signature status and XML.
import { useMemo } from 'preact/hooks';
import { api, query } from './api.ts';
import { ChartView } from './chart.tsx';
import { addDays, bucketLabel, date, int, money, provinceName, today } from './format.ts';
import { useLoad } from './hooks.ts';
import { InvoiceTable } from './invoice-table.tsx';
import { SignalList } from './risk.tsx';
import type { Ctx, InvoicePage, RiskList, VolumePoint } from './types.ts';
import { Badge, Show } from './ui.tsx';

interface Business {
  taxCode: string;
  name: string;
  address: string;
  provinceCode: string;
  status: string;
  mttCode: string | null;
  symbol: string | null;
  certificate?: { subject: string; notAfter: string; expiresInDays: number } | null;
  terminals: Array<{ id: string; name: string; location: string | null; createdAt: string; revokedAt: string | null }>;
}

interface Health {
  sequences: Array<{ symbol: string; first: number; last: number; invoices: number; missing: number; gaps: Array<{ from: number; to: number }>; allocatedBeyond: number; healthy: boolean }>;
  signatures: Array<{ invoiceId: string; valid: boolean; reason?: string }>;
}

const SHOWN_DAYS = 28;
const BASELINE_WEEKS = 4;
const STATUS: Record<string, string> = { active: 'Đang hoạt động', pending: 'Chờ CQT chấp nhận', rejected: 'Bị CQT từ chối' };

export function BusinessPage({ taxCode }: Ctx & { taxCode: string }) {
  const path = encodeURIComponent(taxCode);
  const business = useLoad(() => api<Business>(`/v1/businesses/${path}`), [taxCode]);
  const risk = useLoad(() => api<RiskList>('/v1/risk/businesses?limit=500'), [taxCode]);
  const end = today();
  const volume = useLoad(
    () => api<{ series: VolumePoint[] }>(`/v1/stats/volume${query({ taxCode, granularity: 'day', from: addDays(end, -(SHOWN_DAYS + 7 * BASELINE_WEEKS - 1)), to: end })}`),
    [taxCode],
  );
  const health = useLoad(() => api<Health>(`/v1/dashboard/businesses/${path}/health`), [taxCode]);
  const invoices = useLoad(() => api<InvoicePage>(`/v1/invoices${query({ taxCode, limit: 20 })}`), [taxCode]);

  const chart = useMemo(() => {
    const s = volume.data?.series ?? [];
    const shown = s.slice(-SHOWN_DAYS);
    const offset = s.length - shown.length;
    // Days before the business's first invoice are no part of its usual level.
    const firstActive = s.findIndex((p) => p.invoices !== 0);
    const baseline = shown.map((_, i) => {
      const same = [1, 2, 3, 4]
        .map((w) => offset + i - 7 * w)
        .filter((k) => firstActive >= 0 && k >= firstActive)
        .map((k) => s[k]!);
      return same.length ? Math.round(same.reduce((a, p) => a + p.revenue, 0) / same.length) : 0;
    });
    return {
      labels: shown.map((p) => bucketLabel(p.bucket, 'day')),
      series: [
        { label: 'Doanh thu chưa thuế trong ngày', kind: 'bar' as const, color: '#2563eb', values: shown.map((p) => p.revenue) },
        { label: `Mức thường có (trung bình cùng thứ ${BASELINE_WEEKS} tuần trước)`, kind: 'line' as const, color: '#dc2626', values: baseline },
      ],
    };
  }, [volume.data]);
  const signatures = useMemo(() => new Map((health.data?.signatures ?? []).map((s) => [s.invoiceId, s])), [health.data]);

  return (
    <section aria-labelledby="business-title">
      <p>
        <a href="#/risk">← Danh sách rủi ro</a>
      </p>
      <Show state={business} what="thông tin cơ sở">
        {(b) => (
          <>
            <h1 id="business-title">{b.name}</h1>
            <dl class="facts">
              <dt>Mã số thuế</dt>
              <dd>{b.taxCode}</dd>
              <dt>Địa chỉ</dt>
              <dd>
                {b.address} ({provinceName(b.provinceCode)})
              </dd>
              <dt>Trạng thái</dt>
              <dd>{STATUS[b.status] ?? b.status}</dd>
              <dt>Mã MTT · ký hiệu</dt>
              <dd>
                {b.mttCode ?? '—'} · {b.symbol ?? '—'}
              </dd>
              {b.certificate && (
                <>
                  <dt>Chứng thư số</dt>
                  <dd>
                    hết hạn {date(b.certificate.notAfter)} (còn {int(b.certificate.expiresInDays)} ngày)
                  </dd>
                </>
              )}
            </dl>
            <h2>Máy tính tiền ({b.terminals.filter((t) => !t.revokedAt).length} đang dùng)</h2>
            {b.terminals.length === 0 ? (
              <p class="state empty">Cơ sở chưa đăng ký máy tính tiền nào.</p>
            ) : (
              <table class="data" id="terminals">
                <thead>
                  <tr>
                    <th scope="col">Tên</th>
                    <th scope="col">Vị trí</th>
                    <th scope="col">Đăng ký</th>
                    <th scope="col">Tình trạng</th>
                  </tr>
                </thead>
                <tbody>
                  {b.terminals.map((t) => (
                    <tr>
                      <td>{t.name}</td>
                      <td>{t.location ?? '—'}</td>
                      <td>{date(t.createdAt)}</td>
                      <td>{t.revokedAt ? `Thu hồi ${date(t.revokedAt)}` : 'Đang dùng'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Show>

      <h2>Dấu hiệu rủi ro</h2>
      <Show state={risk} what="dấu hiệu rủi ro">
        {(l) => {
          const item = l.items.find((i) => i.taxCode === taxCode);
          if (!item) return <p class="state empty">Lần đánh giá gần nhất không thấy dấu hiệu rủi ro nào ở cơ sở này.</p>;
          return (
            <div id="business-signals">
              <p>
                Điểm rủi ro <strong class="score">{item.score}</strong>/100
              </p>
              <SignalList signals={item.signals} />
            </div>
          );
        }}
      </Show>

      <h2>Doanh thu theo ngày so với mức thường có</h2>
      <Show state={volume} what="doanh thu" empty={(v) => v.series.every((p) => p.invoices === 0)} emptyText="Cơ sở chưa lập hóa đơn nào trong thời gian này.">
        {() => <ChartView id="chart-baseline" title={`Doanh thu ${SHOWN_DAYS} ngày gần nhất`} labels={chart.labels} series={chart.series} format={money} />}
      </Show>

      <h2>Dãy số hóa đơn</h2>
      <Show state={health} what="dãy số hóa đơn" empty={(h) => h.sequences.length === 0} emptyText="Cơ sở chưa lập hóa đơn nào.">
        {(h) => (
          <table class="data" id="sequences">
            <thead>
              <tr>
                <th scope="col">Ký hiệu</th>
                <th scope="col" class="num">Từ số</th>
                <th scope="col" class="num">Đến số</th>
                <th scope="col" class="num">Số hóa đơn</th>
                <th scope="col">Tình trạng</th>
              </tr>
            </thead>
            <tbody>
              {h.sequences.map((s) => (
                <tr>
                  <td>{s.symbol}</td>
                  <td class="num">{int(s.first)}</td>
                  <td class="num">{int(s.last)}</td>
                  <td class="num">{int(s.invoices)}</td>
                  <td>
                    {s.healthy ? (
                      <Badge tone="ok">Liên tục, không thiếu số</Badge>
                    ) : (
                      <Badge tone="bad">
                        Thiếu {int(s.missing)} số{s.gaps.length ? `: ${s.gaps.map((g) => (g.from === g.to ? `${g.from}` : `${g.from}–${g.to}`)).join(', ')}` : ''}
                        {s.allocatedBeyond ? `; ${s.allocatedBeyond} số đã cấp nhưng chưa có hóa đơn` : ''}
                      </Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>

      <h2>Hóa đơn gần nhất</h2>
      <Show state={invoices} what="hóa đơn" empty={(p) => p.items.length === 0} emptyText="Cơ sở chưa lập hóa đơn nào.">
        {(p) => <InvoiceTable items={p.items} {...(health.data ? { signatures } : {})} />}
      </Show>
    </section>
  );
}
