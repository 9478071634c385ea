// Shapes of the API answers the app reads (see /openapi.json), and what every page is given.
export interface Me {
  role: 'officer' | 'admin';
  provinces: Array<{ code: string; name: string }>;
}

export interface Ctx {
  me: Me;
  /** '' for every province the token sees. */
  province: string;
  setProvince: (code: string) => void;
}

export interface Overview {
  businesses: { registered: number; active: number };
  terminals: number;
  today: { invoices: number; revenue: number; vat: number; total: number };
  backlog: { pending: number; oldestAgeSeconds: number };
  lateInvoices: number;
}

export interface VolumePoint {
  bucket: string;
  invoices: number;
  revenue: number;
  vat: number;
  total: number;
  businesses: number;
}

export interface ProvinceRow {
  provinceCode: string;
  name: string;
  businesses: number;
  terminals: number;
  invoices: number;
  revenue: number;
  total: number;
  late: number;
  flagged: number;
}

export interface Signal {
  code: string;
  severity: 'low' | 'medium' | 'high';
  detail: string;
  evidence: Record<string, number | string>;
}

export interface RiskList {
  evaluatedAt: string | null;
  items: Array<{ taxCode: string; name: string; score: number; signals: Signal[] }>;
}

export interface InvoiceItem {
  id: string;
  taxCode: string;
  sellerName?: string;
  provinceCode: string;
  symbol: string;
  number: number;
  code: string;
  issuedAt: string;
  businessDate: string;
  totals: { beforeVat: number; vat: number; total: number };
  status: string;
  transmission: { status: string; late: boolean };
  buyer?: { name?: string; personalIdMasked?: string } | null;
}

export interface InvoicePage {
  items: InvoiceItem[];
  nextCursor: string | null;
}
