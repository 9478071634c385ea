// The lines of an invoice as the invoice row keeps them (for the detail view; the signed XML is the
// legal copy, but it leaves out what the detail shows of promotions and VAT-inclusive prices).
// Nothing queries inside them, so they are compact JSON text of positional arrays (trailing absent
// fields left out): ~0.5 KB for six lines, where jsonb objects took ~1.6 KB (~0.85 KB once the
// row grew past the ~2 KB at which PostgreSQL compresses it). Rows written before keep jsonb
// objects in `lines`, which read back as they are.
import type { ComputedLine } from '../../domain/amounts.js';

type Packed = [
  index: number,
  kind: ComputedLine['kind'],
  name: string,
  quantity: string,
  unitPrice: string,
  discount: number,
  gross: number,
  amount: number,
  code?: string | null,
  unit?: string | null,
  grossUnitPrice?: number | null,
  vatRate?: string | null,
];

export function packLines(lines: readonly ComputedLine[]): Packed[] {
  return lines.map((l) => {
    const p: Packed = [
      l.index,
      l.kind,
      l.name,
      l.quantity,
      l.unitPrice,
      l.discount,
      l.gross,
      l.amount,
      l.code ?? null,
      l.unit ?? null,
      l.grossUnitPrice ?? null,
      l.vatRate ?? null,
    ];
    while (p.length > 8 && p[p.length - 1] === null) p.pop();
    return p;
  });
}

/** What issuing writes to `lines_text`. */
export const storedLines = (lines: readonly ComputedLine[]): string => JSON.stringify(packLines(lines));

/** The lines of a stored invoice row, whichever way it keeps them. */
export const readLines = (row: { lines: unknown[] | null; linesText: string | null }): ComputedLine[] =>
  unpackLines(row.linesText !== null ? (JSON.parse(row.linesText) as unknown[]) : (row.lines ?? []));

export function unpackLines(stored: readonly unknown[]): ComputedLine[] {
  return stored.map((s) => {
    if (!Array.isArray(s)) return s as ComputedLine; // written before lines were packed
    const [index, kind, name, quantity, unitPrice, discount, gross, amount, code, unit, grossUnitPrice, vatRate] = s as Packed;
    const l: ComputedLine = { index, kind, name, quantity, unitPrice, discount, gross, amount };
    if (code != null) l.code = code;
    if (unit != null) l.unit = unit;
    if (grossUnitPrice != null) l.grossUnitPrice = grossUnitPrice;
    if (vatRate != null) l.vatRate = vatRate as ComputedLine['vatRate'];
    return l;
  });
}
