// Sign-in with a staff token. The token is checked against the gateway before it is kept, and
// kept only in this tab's sessionStorage (gone when the tab closes; never a cookie).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, session } from './api.ts';
import type { Me } from './types.ts';

export function Login({ message, onLogin }: { message: string | null; onLogin: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // The one thing to do on this page: the cursor waits in the token field.
  useEffect(() => input.current?.focus(), []);

  async function submit(e: Event) {
    e.preventDefault();
    const t = token.trim();
    if (!/^stf_\S{16,}$/.test(t)) {
      setError('Mã truy cập cán bộ bắt đầu bằng "stf_" và do quản trị viên cấp. Hãy kiểm tra lại.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>('/v1/dashboard/me', { token: t });
      session.save(t);
      onLogin(me);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const shown = error ?? message;
  return (
    <main class="login" id="main">
      <form onSubmit={submit} aria-describedby="login-help">
        <h1>Hóa đơn MTT · Cán bộ thuế</h1>
        <p id="login-help">Nhập mã truy cập cán bộ thuế được cấp. Mã chỉ được giữ trong thẻ trình duyệt này và mất khi đóng thẻ.</p>
        <label for="token">Mã truy cập</label>
        <input
          id="token"
          ref={input}
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          {...(shown ? { 'aria-invalid': 'true', 'aria-errormessage': 'login-error' } : {})}
        />
        {shown && (
          <p id="login-error" class="state error" role="alert">
            {shown}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Đang kiểm tra…' : 'Đăng nhập'}
        </button>
      </form>
    </main>
  );
}
