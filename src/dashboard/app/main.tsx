// The tax-staff web app: asks for a staff token, then shows the overview, the risk list, the
// invoice search, the buyer search and a business's page. Hash routes, so the gateway serves one
// page; the province chosen in the header applies to every page.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, session, whenUnauthenticated } from './api.ts';
import { BusinessPage } from './business.tsx';
import { BuyersPage } from './buyers.tsx';
import { InvoicesPage } from './invoices.tsx';
import { Login } from './login.tsx';
import { OverviewPage } from './overview.tsx';
import { RiskPage } from './risk.tsx';
import type { Ctx, Me } from './types.ts';
import { ErrorBox, Loading } from './ui.tsx';
import './styles.css';

const PAGES = [
  { path: 'overview', label: 'Tổng quan' },
  { path: 'risk', label: 'Rủi ro' },
  { path: 'invoices', label: 'Hóa đơn' },
  { path: 'buyers', label: 'Tra cứu người mua' },
] as const;

function useHash(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const on = () => setParts(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return parts;
}

function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const [loginMessage, setLoginMessage] = useState<string | null>(null);
  const [province, setProvince] = useState('');
  const [booting, setBooting] = useState(session.token() !== null);

  // An officer of one province works in it: its filter starts there instead of an empty "all".
  const enter = (m: Me) => {
    setMe(m);
    setProvince(m.role === 'officer' && m.provinces.length === 1 ? m.provinces[0]!.code : '');
  };
  const logout = (message: string | null) => {
    session.clear();
    setMe(null);
    setProvince('');
    setLoginMessage(message);
  };
  useEffect(() => {
    whenUnauthenticated((m) => logout(m));
    if (!session.token()) return;
    api<Me>('/v1/dashboard/me').then(
      (m) => (enter(m), setBooting(false)),
      (e: Error) => (setBootError(e.message), setBooting(false)),
    );
  }, []);

  if (booting) return <Loading what="phiên làm việc" />;
  if (!me) {
    return (
      <Login
        message={loginMessage ?? bootError}
        onLogin={(m) => {
          enter(m);
          setBootError(null);
          setLoginMessage(null);
          if (!location.hash) location.hash = '#/overview';
        }}
      />
    );
  }
  return <Shell me={me} province={province} setProvince={setProvince} logout={() => logout(null)} />;
}

function Shell(ctx: Ctx & { logout: () => void }) {
  const [page = 'overview', arg] = useHash();
  const heading = useRef<HTMLDivElement>(null);
  // A new page moves the keyboard focus to its content, as a page load would.
  useEffect(() => heading.current?.focus(), [page, arg]);
  const { me } = ctx;
  const single = me.role === 'officer' && me.provinces.length === 1;
  const who = me.role === 'admin' ? 'Quản trị viên · mọi tỉnh, thành phố' : `Cán bộ thuế · ${me.provinces.map((p) => p.name).join(', ')}`;
  return (
    <>
      <a class="skip" href="#main">
        Bỏ qua, đến nội dung chính
      </a>
      <header class="top">
        <div class="brand">
          <strong>Hóa đơn MTT</strong>
          <span>{who}</span>
        </div>
        <nav aria-label="Chức năng">
          {PAGES.map((p) => (
            <a href={`#/${p.path}`} {...(page === p.path ? { 'aria-current': 'page' } : {})}>
              {p.label}
            </a>
          ))}
        </nav>
        <label class="province-pick">
          <span>Tỉnh, thành phố</span>
          <select id="province-filter" value={ctx.province} onChange={(e) => ctx.setProvince(e.currentTarget.value)}>
            {!single && <option value="">{me.role === 'admin' ? 'Tất cả' : 'Tất cả tỉnh được giao'}</option>}
            {me.provinces.map((p) => (
              <option value={p.code}>
                {p.code} · {p.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="link" onClick={ctx.logout}>
          Đăng xuất
        </button>
      </header>
      <main id="main" tabIndex={-1} ref={heading}>
        {page === 'risk' ? (
          <RiskPage {...ctx} />
        ) : page === 'invoices' ? (
          <InvoicesPage {...ctx} />
        ) : page === 'buyers' ? (
          <BuyersPage {...ctx} />
        ) : page === 'business' && arg ? (
          <BusinessPage {...ctx} taxCode={arg} />
        ) : page === 'overview' || page === '' ? (
          <OverviewPage {...ctx} />
        ) : (
          <ErrorBox message="Trang này không có. Hãy chọn một mục trong thanh chức năng." />
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
// Preact renders beside what is there: the "loading" line of the static page goes first.
root.replaceChildren();
render(<App />, root);
