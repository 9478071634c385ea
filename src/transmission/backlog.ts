// How far behind transmission is: what health, metrics and the dashboards show.
import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../db/client.js';
import { businessDate, startOfBusinessDay } from '../domain/dates.js';

export interface Backlog {
  /** Invoices not yet accepted or rejected. */
  pending: number;
  oldestAgeSeconds: number;
  /** Pending past the end of their business day (Asia/Ho_Chi_Minh): already late. */
  overdue: number;
  /** Accepted after their deadline. */
  lateAccepted: number;
  rejected: number;
  /** Messages sent or to send that have no final answer yet. */
  openMessages: number;
}

export async function readBacklog(db: DbOrTx, now: Date): Promise<Backlog> {
  const [r] = await queryRows<Record<string, string | number | null>>(
    db,
    // Past its deadline (midnight after its business date, UTC+7): issued before today began.
    sql`select
      (select count(*) from unaccepted_invoices where not rejected)::int as pending,
      (select min(issued_at) from unaccepted_invoices where not rejected) as oldest,
      (select count(*) from unaccepted_invoices where not rejected
         and issued_at < ${startOfBusinessDay(businessDate(now)).toISOString()}::timestamptz)::int as overdue,
      (select coalesce(sum(late), 0) from stats_daily)::int as late_accepted,
      (select count(*) from unaccepted_invoices where rejected)::int as rejected,
      (select count(*) from messages where status in ('ready', 'received'))::int as open_messages`,
  );
  const oldest = r?.oldest ? new Date(r.oldest as string) : undefined;
  return {
    pending: Number(r?.pending ?? 0),
    oldestAgeSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : 0,
    overdue: Number(r?.overdue ?? 0),
    lateAccepted: Number(r?.late_accepted ?? 0),
    rejected: Number(r?.rejected ?? 0),
    openMessages: Number(r?.open_messages ?? 0),
  };
}
