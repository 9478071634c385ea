// Loading state of one request: what the page shows while it waits, when it fails and when it
// comes back empty. A new request replaces the previous one (its late answer is dropped).
import { useEffect, useState } from 'preact/hooks';

export type Loaded<T> =
  | { status: 'loading'; data?: T; error?: undefined }
  | { status: 'ok'; data: T; error?: undefined }
  | { status: 'error'; data?: T; error: string };

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ status: 'loading', ...(s.data !== undefined ? { data: s.data } : {}) }));
    load().then(
      (data) => current && setState({ status: 'ok', data }),
      (err: unknown) => current && setState({ status: 'error', error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}
