/** Invoices of one seller, form and symbol travel together (one 206 message holds only one of each). */
export interface BatchKey {
  businessId: string;
  form: number;
  symbol: string;
}

export const batchKeyString = (k: BatchKey): string => `${k.businessId}.${k.form}.${k.symbol}`;

export function parseBatchKey(s: string): BatchKey {
  const [businessId, form, symbol] = s.split('.');
  if (!businessId || !form || !symbol || !/^\d$/.test(form)) throw new Error(`bad batch key ${s}`);
  return { businessId, form: Number(form), symbol };
}

/** Exponential backoff with jitter (half to full of the step), capped. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 5 * 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
