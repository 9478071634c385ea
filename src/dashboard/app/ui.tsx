// Small pieces every page uses: loading, empty and error states, tiles, badges.
import type { ComponentChildren } from 'preact';
import type { Loaded } from './hooks.ts';

export function Loading({ what = 'dữ liệu' }: { what?: string }) {
  return (
    <p class="state loading" role="status" aria-live="polite">
      Đang tải {what}…
    </p>
  );
}

export function ErrorBox({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Thử lại
        </button>
      )}
    </div>
  );
}

export const Empty = ({ children }: { children: ComponentChildren }) => <p class="state empty">{children}</p>;

/** Renders a request's data, or its loading, error or empty state. */
export function Show<T>(props: {
  state: Loaded<T> & { reload?: () => void };
  what?: string;
  empty?: (data: T) => boolean;
  emptyText?: string;
  children: (data: T) => ComponentChildren;
}) {
  const { state } = props;
  if (state.status === 'error') return <ErrorBox message={state.error} {...(state.reload ? { retry: state.reload } : {})} />;
  if (state.data === undefined) return <Loading {...(props.what ? { what: props.what } : {})} />;
  const body = props.empty?.(state.data) ? <Empty>{props.emptyText ?? 'Không có dữ liệu.'}</Empty> : props.children(state.data);
  // Data already on screen stays while a new request runs, marked busy.
  return <div aria-busy={state.status === 'loading' ? 'true' : 'false'}>{body}</div>;
}

export function Tile({ label, value, note, warn }: { label: string; value: string; note?: string; warn?: boolean }) {
  return (
    <div class={warn ? 'tile warn' : 'tile'} data-tile={label}>
      <div class="tile-label">{label}</div>
      <div class="tile-value">{value}</div>
      {note && <div class="tile-note">{note}</div>}
    </div>
  );
}

export const Badge = ({ tone, children }: { tone: 'ok' | 'bad' | 'warn' | 'info' | 'high' | 'medium' | 'low'; children: ComponentChildren }) => (
  <span class={`badge badge-${tone}`}>{children}</span>
);
