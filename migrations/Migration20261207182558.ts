import { Migration } from '@mikro-orm/migrations';

export class Migration20261207182558 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "transaction_direction" as enum ('OUT', 'IN');`);
    this.addSql(`create table "transaction_edit" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "transaction_id" uuid not null, "category" "spending_category" null, "jar_id" uuid null, constraint "transaction_edit_pkey" primary key ("id"));`);
    this.addSql(`alter table "transaction_edit" add constraint "transaction_edit_user_id_transaction_id_unique" unique ("user_id", "transaction_id");`);

    this.addSql(`create table "manual_transaction" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "direction" "transaction_direction" not null, "amount" bigint not null, "currency" text not null, "description" text not null, "category" "spending_category" not null, "occurred_on" text not null, "jar_id" uuid null, constraint "manual_transaction_pkey" primary key ("id"), constraint manual_transaction_amount_check check (amount > 0));`);
    this.addSql(`create index "manual_transaction_user_id_occurred_on_id_index" on "manual_transaction" ("user_id", "occurred_on", "id");`);

    this.addSql(`create table "categorization_rule" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "counterparty" text not null, "category" "spending_category" not null, constraint "categorization_rule_pkey" primary key ("id"));`);
    this.addSql(`alter table "categorization_rule" add constraint "categorization_rule_user_id_counterparty_unique" unique ("user_id", "counterparty");`);

    this.addSql(`alter table "transaction_edit" add constraint "transaction_edit_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "transaction_edit" add constraint "transaction_edit_jar_id_foreign" foreign key ("jar_id") references "jar" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "manual_transaction" add constraint "manual_transaction_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "manual_transaction" add constraint "manual_transaction_jar_id_foreign" foreign key ("jar_id") references "jar" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "categorization_rule" add constraint "categorization_rule_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "transaction_edit" cascade;`);

    this.addSql(`drop table if exists "manual_transaction" cascade;`);

    this.addSql(`drop table if exists "categorization_rule" cascade;`);

    this.addSql(`drop type "transaction_direction";`);
  }

}
