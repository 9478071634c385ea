// Domain rules report problems as data so the HTTP layer can render every bad field at once
// (422 with `errors[]`), instead of stopping at the first one.

export interface Issue {
  /** JSON pointer (RFC 6901) relative to the validated input, e.g. `/items/0/quantity`. */
  path: string;
  /** Stable machine-readable reason, e.g. `too_many_decimals`. */
  code: string;
  /** Plain-English explanation for the API consumer. */
  message: string;
}

export class DomainValidationError extends Error {
  constructor(
    public readonly code: string,
    public readonly issues: Issue[],
    message?: string,
  ) {
    super(message ?? summarise(issues));
    this.name = 'DomainValidationError';
  }
}

function summarise(issues: Issue[]): string {
  const first = issues[0];
  if (!first) return 'Invalid input';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${first.path || '/'}: ${first.message}${more}`;
}

/** Builds a JSON pointer, escaping `~` and `/` inside segments as RFC 6901 requires. */
export function jsonPointer(...segments: Array<string | number>): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Re-roots issues found in a nested value, e.g. under `/legalRepresentative`. */
export function prefixIssues(prefix: string, issues: readonly Issue[]): Issue[] {
  return issues.map((i) => ({ ...i, path: prefix + i.path }));
}
