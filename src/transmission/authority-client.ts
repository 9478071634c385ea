// HTTP client of the tax authority's message endpoint (or of our simulator, which speaks the same).
// It only classifies what happened; what to do about it is the messenger's business.
//
// Wire protocol (the product's own, since the authority's transport is provider-specific):
//   POST {base}/messages            body: a TDiep (application/xml)  → 200 the 999 TDiep
//   GET  {base}/messages/{MTDiep}   → 200 { messageId, replies: [TDiep xml…] } | 404 unknown id

export type SendResult =
  /** The authority answered with its 999. */
  | { kind: 'answered'; xml: string }
  /** Not delivered, or delivered but unanswered; `ambiguous` when it may have been taken in. */
  | { kind: 'failed'; error: string; ambiguous: boolean; retryAfterMs?: number };

export type LookupResult =
  | { kind: 'found'; replies: string[] }
  | { kind: 'unknown' }
  | { kind: 'failed'; error: string; retryAfterMs?: number };

export interface AuthorityClient {
  send(messageId: string, xml: string): Promise<SendResult>;
  lookup(messageId: string): Promise<LookupResult>;
}

export interface HttpAuthorityOptions {
  baseUrl: string;
  timeoutMs?: number;
}

/** `Retry-After` as seconds or an HTTP date → milliseconds (capped: the worker must come back). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const cap = 10 * 60_000;
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value) * 1000, cap);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), cap);
}

/** Errors where the request certainly never reached the server. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function describe(err: unknown): { message: string; delivered: boolean } {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { message: 'timed out', delivered: true };
  const code = e?.cause?.code;
  if (code && NOT_DELIVERED.has(code)) return { message: `${code}`, delivered: false };
  return { message: code ?? e?.cause?.message ?? e?.message ?? String(err), delivered: true };
}

export function httpAuthorityClient(opts: HttpAuthorityOptions): AuthorityClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return {
    async send(messageId, xml) {
      let res: Response;
      try {
        res = await fetch(`${base}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/xml; charset=utf-8', 'x-message-id': messageId },
          body: xml,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const d = describe(err);
        return { kind: 'failed', error: d.message, ambiguous: d.delivered };
      }
      let body: string;
      try {
        body = await res.text();
      } catch (err) {
        return { kind: 'failed', error: `reply cut off: ${describe(err).message}`, ambiguous: true };
      }
      if (res.status === 200) return { kind: 'answered', xml: body };
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      // 429 and 503 mean "not taken in"; any other status leaves us unsure.
      const ambiguous = !(res.status === 429 || res.status === 503);
      return { kind: 'failed', error: `HTTP ${res.status}`, ambiguous, retryAfterMs };
    },

    async lookup(messageId) {
      let res: Response;
      try {
        res = await fetch(`${base}/messages/${encodeURIComponent(messageId)}`, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        return { kind: 'failed', error: describe(err).message };
      }
      if (res.status === 404) {
        await res.body?.cancel();
        return { kind: 'unknown' };
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        return { kind: 'failed', error: `HTTP ${res.status}`, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
      }
      try {
        const json = (await res.json()) as { replies?: unknown };
        if (!Array.isArray(json.replies) || !json.replies.every((r) => typeof r === 'string')) {
          return { kind: 'failed', error: 'lookup answer without replies[]' };
        }
        return { kind: 'found', replies: json.replies as string[] };
      } catch (err) {
        return { kind: 'failed', error: `unreadable lookup answer: ${describe(err).message}` };
      }
    },
  };
}
