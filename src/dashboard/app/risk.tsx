// The risk list: businesses of the latest evaluation with a score above 0, highest first, each
// signal explained in the engine's own sentence, with the numbers behind it.
import { api, query } from './api.ts';
import { dateTime, EVIDENCE, SEVERITY, SIGNAL } from './format.ts';
import { useLoad } from './hooks.ts';
import type { Ctx, RiskList, Signal } from './types.ts';
import { Badge, Show } from './ui.tsx';

export function SignalList({ signals }: { signals: Signal[] }) {
  return (
    <ul class="signals">
      {signals.map((s) => (
        <li data-signal={s.code}>
          <div class="signal-head">
            <Badge tone={s.severity}>{SEVERITY[s.severity] ?? s.severity}</Badge>
            <strong>{SIGNAL[s.code] ?? s.code}</strong>
          </div>
          <p>{s.detail}</p>
          <details>
            <summary>Số liệu căn cứ</summary>
            <dl class="evidence">
              {Object.entries(s.evidence).map(([k, v]) => (
                <>
                  <dt>{EVIDENCE[k] ?? k}</dt>
                  <dd>{typeof v === 'number' ? v.toLocaleString('vi-VN') : v}</dd>
                </>
              ))}
            </dl>
          </details>
        </li>
      ))}
    </ul>
  );
}

export function RiskPage(ctx: Ctx) {
  const list = useLoad(() => api<RiskList>(`/v1/risk/businesses${query({ provinceCode: ctx.province, limit: 200 })}`), [ctx.province]);
  return (
    <section aria-labelledby="risk-title">
      <h1 id="risk-title">Cơ sở có dấu hiệu rủi ro thất thu</h1>
      <Show
        state={list}
        what="danh sách rủi ro"
        empty={(l) => l.items.length === 0}
        emptyText={list.data?.evaluatedAt === null ? 'Hệ thống chưa chạy lần đánh giá rủi ro nào.' : 'Không có cơ sở nào có dấu hiệu rủi ro trong phạm vi đã chọn.'}
      >
        {(l) => (
          <>
            {l.evaluatedAt && <p class="muted">Đánh giá lúc {dateTime(l.evaluatedAt)}. Điểm từ 0 đến 100; càng cao càng đáng kiểm tra.</p>}
            <ol class="risk-list" id="risk-list">
              {l.items.map((b) => (
                <li class="risk-item" data-tax-code={b.taxCode}>
                  <div class="risk-head">
                    <span class="score" aria-label={`Điểm rủi ro ${b.score}`}>
                      {b.score}
                    </span>
                    <a href={`#/business/${encodeURIComponent(b.taxCode)}`}>{b.name}</a>
                    <span class="muted">MST {b.taxCode}</span>
                  </div>
                  <SignalList signals={b.signals} />
                </li>
              ))}
            </ol>
          </>
        )}
      </Show>
    </section>
  );
}
