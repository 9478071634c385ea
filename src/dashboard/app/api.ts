// Calls to the gateway with the staff token from sessionStorage as the Bearer header (no
// cookies), and every failure turned into a sentence an officer can act on.
const TOKEN_KEY = 'hoadon-mtt.staff-token';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

interface Problem {
  code?: string;
  detail?: string;
  requestId?: string;
  errors?: Array<{ path?: string; message?: string }>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Told when the token stops working, so the app can ask for a new one. */
let onUnauthenticated: (message: string) => void = () => {};
export const whenUnauthenticated = (fn: (message: string) => void): void => {
  onUnauthenticated = fn;
};

export function plainMessage(status: number, p: Problem): string {
  switch (status) {
    case 0:
      return 'Không kết nối được với máy chủ. Hãy kiểm tra mạng rồi thử lại.';
    case 400:
    case 422: {
      const fields = (p.errors ?? []).map((e) => `${(e.path ?? '').replace(/^\//, '') || 'yêu cầu'}: ${e.message ?? ''}`);
      return `Thông tin nhập chưa hợp lệ${fields.length ? ` (${fields.join('; ')})` : ''}. Hãy sửa lại rồi thử lại.`;
    }
    case 401:
      return 'Mã truy cập không đúng, đã hết hiệu lực hoặc đã bị thu hồi. Hãy đăng nhập lại.';
    case 403:
      return 'Mã truy cập này không được phép dùng chức năng này.';
    case 404:
      return 'Không tìm thấy, hoặc nằm ngoài các tỉnh, thành phố bạn được giao.';
    case 429:
      return 'Bạn đã gửi quá nhiều yêu cầu. Hãy đợi một phút rồi thử lại.';
    case 503:
      return 'Hệ thống đang tạm thời gián đoạn. Hãy thử lại sau ít phút.';
    default:
      return `Máy chủ gặp lỗi (${status}). Hãy thử lại; nếu vẫn lỗi, báo bộ phận kỹ thuật mã yêu cầu ${p.requestId ?? 'không có'}.`;
  }
}

async function send(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<Response> {
  const token = init.token ?? session.token();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    throw new ApiError(0, plainMessage(0, {}));
  }
  if (res.ok) return res;
  const problem = (await res.json().catch(() => ({}))) as Problem;
  const err = new ApiError(res.status, plainMessage(res.status, problem), problem.code);
  if (res.status === 401 && !init.token) onUnauthenticated(err.message);
  throw err;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  return (await (await send(path, init)).json()) as T;
}

/** A query string from the filled-in fields only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Saves what a route returns as a file: a plain link could not carry the Bearer header. */
export async function download(path: string, fallbackName: string): Promise<string> {
  const res = await send(path, { method: 'GET' });
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
