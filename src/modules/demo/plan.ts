// The demo country, drawn from a seeded random source so a seed always gives the same country:
// which businesses exist (kind, size, province, terminals, regular customers) and, day by day,
// their sales with weekly and daily rhythms. Seven of them carry a planted revenue-loss pattern,
// one per risk signal. Pure: no I/O.
import { seededRandom } from '../../lib/random.js';
import { addDays, startOfBusinessDay } from '../../domain/dates.js';
import type { LineInput } from '../../domain/line-input.js';
import { makePersonalId, type Sex } from '../../domain/personal-id.js';
import { makeTaxCode } from '../../domain/tax-code.js';
import { PROVINCE_CODES, PROVINCES } from '../../domain/provinces.js';
import { vatRateInForceOn } from '../../domain/vat.js';
import type { SignalCode } from '../risk/rules.js';
import type { BuyerInput, PaymentMethod } from '../sales/invoice-document.js';
import { BIRTH_CODE_OF, COMPANIES, FAMILY, GIVEN, KINDS, MIDDLE, OWNERS, PROVINCE_WEIGHT, STREETS, type Kind, type MenuItem } from './catalog.js';

export type Rng = () => number;

/** One generator from several seeds (business index, day, …). */
export function rngFrom(...seeds: number[]): Rng {
  return seededRandom(seeds.reduce((h, s) => Math.imul(h ^ (s >>> 0), 0x9e3779b1) >>> 0, 0x12345678));
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const HOUR_MS = 3_600_000;

export interface Person {
  personalId: string;
  name: string;
}

export function makePerson(rng: Rng, birthCode: string): Person {
  const sex: Sex = rng() < 0.5 ? 'male' : 'female';
  const birthYear = 1965 + Math.floor(rng() * 40);
  const personalId = makePersonalId({ province: birthCode, sex, birthYear, serial: Math.floor(rng() * 1_000_000) });
  return { personalId, name: `${pick(rng, FAMILY)} ${pick(rng, MIDDLE[sex])} ${pick(rng, GIVEN[sex])}` };
}

export interface BusinessPlan {
  index: number;
  kind: Kind;
  name: string;
  provinceCode: string;
  address: string;
  form: 1 | 2;
  terminals: string[];
  /** Expected sales a day (before weekly rhythm and noise). */
  perDay: number;
  planted?: SignalCode;
  regulars: Person[];
  /** A day on which one of this business's buyers gives the shared personal ID. */
  sharedIdOn?: string;
}

export interface CountryPlan {
  seed: number;
  firstDay: string;
  today: string;
  businesses: BusinessPlan[];
  /** The personal ID planted at many businesses. */
  shared: Person;
  /** Company buyers (name, tax code, address). */
  companies: Array<{ name: string; taxCode: string; address: string }>;
  expectedInvoices: number;
}

const PLANTED: Array<{ signal: SignalCode; kind: string }> = [
  { signal: 'late_transmission', kind: 'comtam' },
  { signal: 'silent_terminal', kind: 'pho' },
  { signal: 'revenue_drop', kind: 'buncha' },
  { signal: 'low_revenue_per_terminal', kind: 'caphe' },
  { signal: 'off_hours_sales', kind: 'pho' },
  { signal: 'aggregated_invoices', kind: 'bunbo' },
  { signal: 'shared_buyer_id', kind: 'comtam' },
  { signal: 'frequent_corrections', kind: 'bunbo' },
];

/**
 * Sales volume of planted businesses against a clean one of the same size: the low-revenue one
 * sells a fifth (over four terminals), the others enough that their pattern has numbers behind
 * it (two busy terminals, a day's sales on one invoice, peak hours to empty).
 */
const PLANTED_VOLUME: Record<string, number> = { low_revenue_per_terminal: 0.2, silent_terminal: 2, aggregated_invoices: 2.5, off_hours_sales: 1.5 };

/** VAT-inclusive average of a kind's receipts, by sampling baskets. */
export function averageTicket(kind: Kind): number {
  const rng = rngFrom(7, kind.key.length);
  let sum = 0;
  for (let i = 0; i < 400; i++) sum += basket(kind, rng).reduce((a, l) => a + l.item.price * l.quantity, 0);
  return sum / 400;
}

export function planCountry(o: { seed: number; invoices: number; days: number; today: string; provinces?: readonly string[] }): CountryPlan {
  const rng = rngFrom(o.seed);
  const provinces = o.provinces?.length ? o.provinces : PROVINCE_CODES;
  const weights = provinces.map((p) => PROVINCE_WEIGHT[p] ?? 1);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const drawProvince = (): string => {
    let x = rng() * weightSum;
    for (let i = 0; i < provinces.length; i++) if ((x -= weights[i]!) < 0) return provinces[i]!;
    return provinces[provinces.length - 1]!;
  };
  const count = Math.max(PLANTED.length + 13, Math.round(o.invoices / (o.days * 30)));
  const tickets = new Map(KINDS.map((k) => [k.key, averageTicket(k)]));
  const drafts = Array.from({ length: count }, (_, index) => {
    const planted = PLANTED[index];
    const kind = planted ? KINDS.find((k) => k.key === planted.kind)! : pick(rng, KINDS);
    // Every planted pattern lands in a different province of the first few.
    const provinceCode = planted ? provinces[index % provinces.length]! : drawProvince();
    // Planted businesses are of middle size, so their patterns show as clearly in any country.
    const size = 0.6 + rng() * 1.0;
    return { index, kind, provinceCode, size: planted ? 1 : size, planted: planted?.signal };
  });
  // Revenue a day per unit of size, so that the country issues about `invoices` invoices.
  const unitRevenue = o.invoices / o.days / drafts.reduce((a, d) => a + d.size / tickets.get(d.kind.key)!, 0);
  const shared = makePerson(rng, '001');
  const businesses: BusinessPlan[] = drafts.map((d) => {
    const perDay = (d.size * unitRevenue) / tickets.get(d.kind.key)!;
    let terminals = Math.min(3, Math.max(1, Math.round(perDay / 45)));
    if (d.planted === 'silent_terminal') terminals = 2;
    if (d.planted === 'low_revenue_per_terminal') terminals = 4;
    const birthCode = BIRTH_CODE_OF[d.provinceCode] ?? '001';
    const province = (PROVINCES as Record<string, string>)[d.provinceCode]!;
    return {
      index: d.index,
      kind: d.kind,
      name: `${d.kind.prefix} ${pick(rng, OWNERS)}`,
      provinceCode: d.provinceCode,
      address: `${1 + Math.floor(rng() * 300)} ${pick(rng, STREETS)}, ${province}`,
      form: d.planted || rng() < 0.85 ? 1 : 2,
      terminals: Array.from({ length: terminals }, (_, i) => `Quầy ${i + 1}`),
      perDay: perDay * (PLANTED_VOLUME[d.planted ?? ''] ?? 1),
      ...(d.planted ? { planted: d.planted } : {}),
      regulars: Array.from({ length: 8 }, () => makePerson(rng, birthCode)),
    };
  });
  // The shared ID also buys once at nine clean businesses, in as many provinces as possible.
  const clean = businesses.filter((b) => !b.planted);
  const seen = new Set<string>();
  const firstOfProvince = clean.filter((b) => !seen.has(b.provinceCode) && seen.add(b.provinceCode));
  const hosts = [...firstOfProvince, ...clean.filter((b) => !firstOfProvince.includes(b))].slice(0, 9);
  hosts.forEach((b, i) => (b.sharedIdOn = addDays(o.today, -(2 + ((i * 3) % 20)))));
  const companies = COMPANIES.map((name) => ({ name, taxCode: randomTaxCode(rng), address: `${1 + Math.floor(rng() * 200)} ${pick(rng, STREETS)}, ${pick(rng, ['Hà Nội', 'TP Hồ Chí Minh', 'Đà Nẵng'])}` }));
  const firstDay = addDays(o.today, -(o.days - 1));
  const expectedInvoices = Math.round(businesses.reduce((a, b) => a + b.perDay, 0) * o.days);
  return { seed: o.seed, firstDay, today: o.today, businesses, shared, companies, expectedInvoices };
}

export function randomTaxCode(rng: Rng): string {
  for (;;) {
    try {
      return makeTaxCode(String(100_000_000 + Math.floor(rng() * 900_000_000)));
    } catch {
      // no check digit exists for this prefix; draw again
    }
  }
}

export interface PlannedSale {
  soldAt: Date;
  issuedAt: Date;
  /** Index into the business's terminals. */
  terminal: number;
  items: LineInput[];
  payment: PaymentMethod;
  buyer?: BuyerInput & { personalId?: string };
  /** An adjustment invoice (a dish sent back) of an earlier sale of the same day: `items` are signed. */
  adjusts?: PlannedSale;
}

/** Dishes sent back: most restaurants adjust one invoice in a couple of hundred, the planted one one in seven. */
const ADJUSTED_SHARE = { usual: 0.005, planted: 0.15 };

function basket(kind: Kind, rng: Rng): Array<{ item: MenuItem; quantity: number }> {
  const mains = kind.menu.filter((i) => i.role === 'main');
  const sides = kind.menu.filter((i) => i.role === 'side');
  const drinks = kind.menu.filter((i) => i.role === 'drink');
  const diners = kind.key === 'nhau' ? 2 + Math.floor(rng() * 3) : 1 + (rng() < 0.5 ? 0 : Math.floor(rng() * 3));
  const counts = new Map<MenuItem, number>();
  const add = (i: MenuItem | undefined, n = 1) => i && counts.set(i, (counts.get(i) ?? 0) + n);
  if (kind.key === 'nhau') {
    // Shared dishes for the table, a beer each.
    add(pick(rng, mains));
    if (rng() < 0.6) add(pick(rng, sides));
    add(pick(rng, drinks), diners);
  } else {
    for (let k = 0; k < diners; k++) {
      add(pick(rng, mains));
      if (sides.length && rng() < 0.3) add(pick(rng, sides));
      if (drinks.length && rng() < 0.5) add(pick(rng, drinks));
    }
  }
  return [...counts].map(([item, quantity]) => ({ item, quantity }));
}

function lines(kind: Kind, picked: Array<{ item: MenuItem; quantity: number }>, form: 1 | 2, date: string): LineInput[] {
  const reduced = vatRateInForceOn('8%', date) ? '8%' : '10%';
  return picked.map(({ item, quantity }) => ({
    code: item.code,
    name: item.name,
    unit: item.unit,
    quantity,
    unitPrice: item.price,
    ...(form === 1 ? { vatRate: item.fullRate ? '10%' : reduced } : {}),
  }));
}

function hourWeights(kind: Kind): number[] {
  return Array.from({ length: 24 }, (_, h) => {
    if (h < kind.open || h >= kind.close) return 0;
    return 1 + kind.peaks.reduce((a, [from, to, w]) => a + (h >= from && h < to ? w : 0), 0);
  });
}

const WEEKDAY = [1.2, 0.9, 0.9, 0.9, 0.95, 1.05, 1.25]; // Sunday … Saturday

export interface DayContext {
  plan: CountryPlan;
  /** Sales after this instant have not happened yet. */
  now: Date;
  /** A person of the province's passing trade, by index. */
  visitor(provinceCode: string, i: number): Person;
}

/** The sales of one business on one day, in issue order, planted patterns applied. */
export function salesOfDay(b: BusinessPlan, date: string, ctx: DayContext): PlannedSale[] {
  const dayIndex = Math.round((startOfBusinessDay(date).getTime() - startOfBusinessDay(ctx.plan.firstDay).getTime()) / (24 * HOUR_MS));
  const rng = rngFrom(ctx.plan.seed, b.index, dayIndex);
  const recent = date >= addDays(ctx.plan.today, -7);
  const weekday = WEEKDAY[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
  let expected = b.perDay * weekday * (0.85 + rng() * 0.3);
  if (b.planted === 'revenue_drop' && recent) expected *= 0.2;
  const n = Math.floor(expected) + (rng() < expected % 1 ? 1 : 0);
  const weights = hourWeights(b.kind);
  const total = weights.reduce((a, c) => a + c, 0);
  const dayStart = startOfBusinessDay(date).getTime();
  const silentFrom = addDays(ctx.plan.today, -6);
  let sales: PlannedSale[] = [];
  for (let i = 0; i < n; i++) {
    let x = rng() * total;
    let hour = 0;
    while ((x -= weights[hour]!) >= 0) hour++;
    const soldAt = new Date(dayStart + hour * HOUR_MS + Math.floor(rng() * HOUR_MS));
    const issuedAt = new Date(soldAt.getTime() + Math.floor(rng() * 90_000));
    const terminal = b.planted === 'low_revenue_per_terminal' ? 0 : Math.floor(rng() * b.terminals.length);
    if (b.planted === 'silent_terminal' && terminal === 1 && date >= silentFrom) continue;
    const sale: PlannedSale = { soldAt, issuedAt, terminal, items: lines(b.kind, basket(b.kind, rng), b.form, date), payment: payment(rng) };
    const buyer = buyerFor(b, rng, ctx);
    if (buyer) sale.buyer = buyer;
    if (b.planted === 'off_hours_sales' && recent && weights[hour]! > 1 && rng() < 0.85) {
      // Not invoiced at the counter: entered after closing, from 22:00.
      sale.issuedAt = new Date(dayStart + 22 * HOUR_MS + Math.floor(rng() * 100 * 60_000));
    }
    sales.push(sale);
  }
  if (b.planted === 'aggregated_invoices' && sales.length > 0) sales = [aggregate(b, sales, dayStart)];
  sales.push(...sendBacks(b, sales, rng));
  if (b.sharedIdOn === date && sales[0]) sales[0].buyer = { personalId: ctx.plan.shared.personalId, name: ctx.plan.shared.name };
  return sales.filter((s) => s.issuedAt.getTime() <= ctx.now.getTime() - 60_000).sort((x, y) => x.issuedAt.getTime() - y.issuedAt.getTime());
}

/** Adjustments returning one unit of a sale's first dish, a few minutes after it. */
function sendBacks(b: BusinessPlan, sales: readonly PlannedSale[], rng: Rng): PlannedSale[] {
  const share = b.planted === 'frequent_corrections' ? ADJUSTED_SHARE.planted : ADJUSTED_SHARE.usual;
  return sales.flatMap((s) => {
    const first = s.items[0];
    if (!first || rng() >= share) return [];
    const issuedAt = new Date(s.issuedAt.getTime() + (3 + Math.floor(rng() * 15)) * 60_000);
    return [{ soldAt: issuedAt, issuedAt, terminal: s.terminal, items: [{ ...first, quantity: -1, discount: 0 }], payment: s.payment, adjusts: s }];
  });
}

/** The whole day's sales on one invoice, at closing time. */
function aggregate(b: BusinessPlan, sales: PlannedSale[], dayStart: number): PlannedSale {
  const byCode = new Map<string, LineInput>();
  for (const s of sales) {
    for (const l of s.items) {
      const had = byCode.get(l.code!);
      if (had) had.quantity = Number(had.quantity) + Number(l.quantity);
      else byCode.set(l.code!, { ...l });
    }
  }
  const at = new Date(dayStart + (b.kind.close - 1) * HOUR_MS + 30 * 60_000);
  return { soldAt: at, issuedAt: at, terminal: 0, items: [...byCode.values()], payment: 'cash' };
}

function payment(rng: Rng): PaymentMethod {
  const x = rng();
  return x < 0.55 ? 'cash' : x < 0.8 ? 'transfer' : x < 0.9 ? 'card' : 'ewallet';
}

function buyerFor(b: BusinessPlan, rng: Rng, ctx: DayContext): PlannedSale['buyer'] | undefined {
  if (b.planted === 'shared_buyer_id' && rng() < 0.3) return { personalId: ctx.plan.shared.personalId, name: ctx.plan.shared.name };
  const x = rng();
  if (x < 0.024) {
    const p = pick(rng, b.regulars);
    return { personalId: p.personalId, name: p.name };
  }
  if (x < 0.03) {
    const p = ctx.visitor(b.provinceCode, Math.floor(rng() * 400));
    return { personalId: p.personalId, name: p.name };
  }
  if (x < 0.04) return { ...pick(rng, ctx.plan.companies) };
  return undefined;
}
