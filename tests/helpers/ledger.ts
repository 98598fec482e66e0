import type { App } from '../../src/app.js';

/** What the database holds of the ledger, for "nothing was written" checks. */
export async function ledgerSnapshot(app: App): Promise<{ transfers: number; entries: number; balances: string }> {
  const [row] = await app.orm.em.fork().execute<Array<{ transfers: string; entries: string; balances: string }>>(
    `select (select count(*) from "transfer")::text as "transfers",
            (select count(*) from "ledger_entry")::text as "entries",
            (select coalesce(string_agg("id"::text || ':' || "balance"::text || ':' || "status"::text || ':' || "name", ',' order by "id"), '') from "account") as "balances"`,
  );
  return { transfers: Number(row!.transfers), entries: Number(row!.entries), balances: row!.balances };
}

/**
 * The ledger's invariants, straight from the database: every balance is the sum of its
 * entries, entries sum to zero per currency, no customer balance is negative, every
 * posted transfer has exactly one DEBIT and one CREDIT, and entry seqs have no gaps.
 */
export async function ledgerViolations(app: App): Promise<string[]> {
  const em = app.orm.em.fork();
  const signed = `case when e."direction" = 'CREDIT' then e."amount" else -e."amount" end`;
  const problems: string[] = [];
  const q = (sql: string) => em.execute<Array<Record<string, unknown>>>(sql);
  for (const r of await q(
    `select a."id", a."balance"::text as b, coalesce(sum(${signed}), 0)::text as s, a."entry_seq" as seq, count(e."id") as n, coalesce(max(e."seq"), 0) as maxseq
     from "account" a left join "ledger_entry" e on e."account_id" = a."id" group by a."id"
     having a."balance" <> coalesce(sum(${signed}), 0) or a."entry_seq" <> count(e."id") or a."entry_seq" <> coalesce(max(e."seq"), 0)`,
  )) {
    problems.push(`account ${String(r.id)}: balance ${String(r.b)} but entries sum to ${String(r.s)} (seq ${String(r.seq)}, ${String(r.n)} entries)`);
  }
  for (const r of await q(`select e."currency", sum(${signed})::text as s from "ledger_entry" e group by e."currency" having sum(${signed}) <> 0`)) {
    problems.push(`currency ${String(r.currency)}: entries sum to ${String(r.s)}`);
  }
  for (const r of await q(`select "id", "balance"::text as b from "account" where not "system" and "balance" < 0`)) {
    problems.push(`account ${String(r.id)} is negative: ${String(r.b)}`);
  }
  for (const r of await q(
    `select t."id" from "transfer" t left join "ledger_entry" e on e."transfer_id" = t."id"
     group by t."id", t."status"
     having (t."status" = 'POSTED' and (count(e."id") <> 2 or count(*) filter (where e."direction" = 'DEBIT') <> 1))
         or (t."status" <> 'POSTED' and count(e."id") <> 0)`,
  )) {
    problems.push(`transfer ${String(r.id)} does not have exactly its two entries`);
  }
  return problems;
}
