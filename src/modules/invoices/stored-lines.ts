// The lines of an invoice as the invoice row keeps them (for the detail view; the signed XML is the
// legal copy). A row of ~1.4 KB is below the ~2 KB at which PostgreSQL starts compressing, and in
// jsonb every line object repeats its twelve key names: about half of a typical sale's lines.
// Stored as positional arrays instead, trailing absent fields left out; rows written before keep
// objects, which read back as they are.
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
