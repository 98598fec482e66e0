import { containsPattern, Params, type Bound } from './bound.js';
import type { TransactionDirection, TransactionSource } from './transaction.enums.js';

/*
 * The one transaction feed, as a common table expression every reader shares: approved card
 * payments, transfers to and from other people (not between the user's own accounts, not a
 * card payment's transfer), manual transactions, linked banks' transactions and the user's share of the
 * group expenses they paid (what they fronted for others is not their spending). A row's jar is the one it was moved to,
 * else the unarchived jar holding its category; income (IN) counts in no jar. A manual
 * transaction's `at` is the start of its day in the user's time zone, so month ranges hold
 * for every source alike. Values are bound ($n).
 */

/** The jar that holds `category` for the user, unless it was moved elsewhere. */
const CATEGORY_JAR = (category: string, user: string) =>
  `(select j."id" from "jar" j where j."user_id" = ${user} and not j."archived" and ${category}::text = any(j."categories") limit 1)`;

function feedCte(p: Params, userId: string, timeZone: string): string {
  const user = p.add(userId);
  const tz = p.add(timeZone);
  const rule = (counterparty: string, at: string) =>
    `(select r."category"::text from "categorization_rule" r where r."user_id" = ${user} and r."counterparty" = ${counterparty} and r."created_at" <= ${at})`;
  const linkedCategory = `coalesce(ed."category"::text, ${rule(`'merchant:' || lower(l."merchant")`, 'l."created_at"')}, l."category"::text)`;
  const groupCategory = `coalesce(ed."category"::text, x."category"::text)`;
  const transferCategory = `case when e."direction" = 'DEBIT' then coalesce(ed."category"::text, ${rule(`'account:' || t."to_account_id"`, 'e."posted_at"')}, 'OTHER') else coalesce(ed."category"::text, 'OTHER') end`;
  return `with feed as (
    select p."id", 'CARD' as "source", 'OUT' as "direction", p."amount", p."currency", p."merchant" as "description", p."category"::text as "category",
      p."created_at" as "at", false as "pending", coalesce(a."jar_id", ${CATEGORY_JAR('p."category"', user)}) as "jar_id",
      p."account_id", p."id" as "card_payment_id", p."transfer_id", p."created_at", null::text as "counterparty", null::uuid as "linked_account_id"
    from "card_payment" p left join "payment_jar_assignment" a on a."payment_id" = p."id"
    where p."user_id" = ${user} and p."status" = 'APPROVED'
    union all
    select t."id", 'TRANSFER', case when e."direction" = 'DEBIT' then 'OUT' else 'IN' end, e."amount", e."currency",
      coalesce(t."description", case when e."direction" = 'DEBIT' then 'Transfer to ' || t."to_account_number" when t."from_account_number" is null then 'Deposit' else 'Transfer from ' || t."from_account_number" end),
      ${transferCategory}, e."posted_at", false,
      case when e."direction" = 'DEBIT' then coalesce(ed."jar_id", ${CATEGORY_JAR(transferCategory, user)}) end,
      e."account_id", null::uuid, t."id", t."created_at", case when e."direction" = 'DEBIT' then 'account:' || t."to_account_id" end, null::uuid
    from "ledger_entry" e join "transfer" t on t."id" = e."transfer_id"
    left join "transaction_edit" ed on ed."user_id" = ${user} and ed."transaction_id" = t."id"
    where e."user_id" = ${user}
      and case when e."direction" = 'DEBIT' then t."to_user_id" is distinct from ${user} else t."from_user_id" is distinct from ${user} end
      and not exists (select 1 from "card_payment" cp where cp."transfer_id" = t."id")
    union all
    select m."id", 'MANUAL', m."direction"::text, m."amount", m."currency", m."description", m."category"::text,
      (m."occurred_on"::date::timestamp at time zone ${tz}), false,
      case when m."direction" = 'OUT' then coalesce(m."jar_id", ${CATEGORY_JAR('m."category"', user)}) end,
      null::uuid, null::uuid, null::uuid, m."created_at", null::text, null::uuid
    from "manual_transaction" m where m."user_id" = ${user}
    union all
    select l."id", 'LINKED', l."direction"::text, l."amount", l."currency", l."description", ${linkedCategory},
      (l."occurred_on"::date::timestamp at time zone ${tz}), l."pending",
      case when l."direction" = 'OUT' then coalesce(ed."jar_id", ${CATEGORY_JAR(linkedCategory, user)}) end,
      null::uuid, null::uuid, null::uuid, l."created_at", case when l."merchant" is not null then 'merchant:' || lower(l."merchant") end, l."account_id"
    from "linked_transaction" l left join "transaction_edit" ed on ed."user_id" = ${user} and ed."transaction_id" = l."id"
    where l."user_id" = ${user}
    union all
    select x."id", 'GROUP', 'OUT', x."share", g."currency", x."description", ${groupCategory},
      (x."occurred_on"::date::timestamp at time zone ${tz}), false, coalesce(ed."jar_id", ${CATEGORY_JAR(groupCategory, user)}),
      null::uuid, null::uuid, null::uuid, x."created_at", null::text, null::uuid
    from (select e."id", e."group_id", e."description", e."category", e."occurred_on", e."created_at",
            (select sum((s->>'amount')::bigint) from jsonb_array_elements(e."shares") s where s->>'userId' = ${user}::text)::bigint as "share"
          from "group_expense" e
          where not e."deleted" and e."payers" @> jsonb_build_array(jsonb_build_object('userId', ${user}::text))) x
    join "expense_group" g on g."id" = x."group_id"
    left join "transaction_edit" ed on ed."user_id" = ${user} and ed."transaction_id" = x."id"
    where x."share" > 0
  )`;
}

/** The columns a Transaction is made of; `occurred_on` is the day of `at` in the user's time zone. */
function columns(tz: string): string {
  return `f."id", f."source", f."direction", f."amount"::text as "amount", f."currency", f."description", f."category", f."at",
    to_char(f."at" at time zone ${tz}, 'YYYY-MM-DD') as "occurred_on", f."pending", f."jar_id", f."account_id", f."card_payment_id",
    f."transfer_id", f."created_at", f."counterparty", f."linked_account_id"`;
}

export interface FeedFilter {
  from?: Date;
  to?: Date;
  source?: TransactionSource;
  direction?: TransactionDirection;
  category?: string;
  accountId?: string;
  linkedAccountId?: string;
  jarId?: string;
  currency?: string;
  search?: string;
  ids?: string[];
}

function where(p: Params, f: FeedFilter): string {
  const parts = ['true'];
  if (f.from) parts.push(`f."at" >= ${p.add(f.from)}`);
  if (f.to) parts.push(`f."at" < ${p.add(f.to)}`);
  if (f.source) parts.push(`f."source" = ${p.add(f.source)}`);
  if (f.direction) parts.push(`f."direction" = ${p.add(f.direction)}`);
  if (f.category) parts.push(`f."category" = ${p.add(f.category)}`);
  if (f.accountId) parts.push(`f."account_id" = ${p.add(f.accountId)}`);
  if (f.linkedAccountId) parts.push(`f."linked_account_id" = ${p.add(f.linkedAccountId)}`);
  if (f.jarId) parts.push(`f."jar_id" = ${p.add(f.jarId)}`);
  if (f.currency) parts.push(`f."currency" = ${p.add(f.currency)}`);
  if (f.search) parts.push(`f."description" ilike ${p.add(containsPattern(f.search))}`);
  if (f.ids) parts.push(`f."id" = any(${p.add(f.ids)}::uuid[])`);
  return parts.join(' and ');
}

/** A page newest first, keyset on (at, id), one row more than the page; each row with the filter's total. */
export function selectFeedPage(userId: string, timeZone: string, filter: FeedFilter, after: { at: Date; id: string } | null, limit: number): Bound {
  const p = new Params();
  const cte = feedCte(p, userId, timeZone);
  const cond = where(p, filter);
  const keyset = after ? `and (f."at", f."id") < (${p.add(after.at)}, ${p.add(after.id)}::uuid)` : '';
  return p.bound(
    `${cte}, matching as (select f.* from feed f where ${cond})
     select ${columns('$2')}, (select count(*)::int from matching) as "total"
     from matching f where true ${keyset} order by f."at" desc, f."id" desc limit ${p.add(limit + 1)}`,
  );
}

/** Spending (OUT) in the filter's range: per jar, per category, per source; `current` splits at `split`. */
export function selectFeedSpent(userId: string, timeZone: string, filter: FeedFilter, split: Date): Bound {
  const p = new Params();
  const cte = feedCte(p, userId, timeZone);
  const cond = where(p, { ...filter, direction: 'OUT' as TransactionDirection });
  return p.bound(
    `${cte} select f."jar_id", f."category", f."source", f."at" >= ${p.add(split)} as "current", sum(f."amount")::text as "spent", count(*)::int as "transactions"
     from feed f where ${cond} group by 1, 2, 3, 4`,
  );
}

/** Income (IN) in the filter's range. */
export function selectFeedReceived(userId: string, timeZone: string, filter: FeedFilter): Bound {
  const p = new Params();
  const cte = feedCte(p, userId, timeZone);
  const cond = where(p, { ...filter, direction: 'IN' as TransactionDirection });
  return p.bound(`${cte} select coalesce(sum(f."amount"), 0)::text as "received" from feed f where ${cond}`);
}

/** The largest spendings in the range, largest first. */
export function selectLargest(userId: string, timeZone: string, filter: FeedFilter, limit: number): Bound {
  const p = new Params();
  const cte = feedCte(p, userId, timeZone);
  const cond = where(p, { ...filter, direction: 'OUT' as TransactionDirection });
  return p.bound(`${cte} select ${columns('$2')} from feed f where ${cond} order by f."amount" desc, f."at" desc, f."id" desc limit ${p.add(limit)}`);
}

/** Some transactions by id (the caller's only). */
export function selectByIds(userId: string, timeZone: string, ids: string[]): Bound {
  const p = new Params();
  const cte = feedCte(p, userId, timeZone);
  const cond = where(p, { ids });
  return p.bound(`${cte} select ${columns('$2')} from feed f where ${cond}`);
}

/** Whether the filter's account and linked account (when given) are the user's: one row, two flags. */
export function selectFilterOwnership(userId: string, accountId: string | null, linkedAccountId: string | null): Bound {
  return {
    text: `select ($2::uuid is null or exists (select 1 from "account" where "id" = $2 and "user_id" = $1 and not "system")) as "account",
                  ($3::uuid is null or exists (select 1 from "linked_account" where "id" = $3 and "user_id" = $1)) as "linked"`,
    values: [userId, accountId, linkedAccountId],
  };
}
