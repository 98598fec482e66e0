import { Migration } from '@mikro-orm/migrations';

/** Each member's expense balance from the expenses as stored (exported for its test). */
export const EXPENSE_BALANCES = `update "group_member" m set "expense_balance" = x."balance"
      from (
        select e."group_id", l."user_id", sum(l."amount") as "balance"
          from "group_expense" e
          cross join lateral (
            select (p->>'userId')::uuid as "user_id", (p->>'amount')::bigint as "amount" from jsonb_array_elements(e."payers") p
            union all
            select (s->>'userId')::uuid, -(s->>'amount')::bigint from jsonb_array_elements(e."shares") s
          ) l
         where not e."deleted"
         group by e."group_id", l."user_id"
      ) x
     where m."group_id" = x."group_id" and m."user_id" = x."user_id";`;

export class Migration20261208020734 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "group_member" add column "expense_balance" bigint not null default 0;`);
    // What the balance read summed until now: each member's paid minus owed over the expenses not deleted.
    this.addSql(EXPENSE_BALANCES);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "group_member" drop column "expense_balance";`);
  }

}
