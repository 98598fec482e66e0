import { Migration } from '@mikro-orm/migrations';

export class Migration20261130180454 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "fee_cadence" as enum ('WEEKLY', 'MONTHLY', 'YEARLY');`);
    this.addSql(`create table "jar" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "name" text not null, "description" text null, "allocation_basis_points" int not null, "categories" text[] not null, "archived" boolean not null default false, constraint "jar_pkey" primary key ("id"), constraint jar_allocation_check check (allocation_basis_points between 0 and 10000));`);
    this.addSql(`create index "jar_user_id_archived_index" on "jar" ("user_id", "archived");`);

    this.addSql(`create table "fee" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "name" text not null, "amount" bigint not null, "currency" text not null, "cadence" "fee_cadence" not null, "next_due_on" text not null, "jar_id" uuid null, "active" boolean not null default true, constraint "fee_pkey" primary key ("id"), constraint fee_amount_check check (amount > 0));`);
    this.addSql(`create index "fee_user_id_created_at_index" on "fee" ("user_id", "created_at");`);

    this.addSql(`create table "budget_alert" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "jar_id" uuid not null, "month" text not null, "allocated" bigint not null, "spent" bigint not null, constraint "budget_alert_pkey" primary key ("id"));`);
    this.addSql(`alter table "budget_alert" add constraint "budget_alert_jar_id_month_unique" unique ("jar_id", "month");`);

    this.addSql(`create table "budget" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "currency" text not null, "monthly_income" bigint null, constraint "budget_pkey" primary key ("id"), constraint budget_monthly_income_check check (monthly_income is null or monthly_income >= 0));`);
    this.addSql(`alter table "budget" add constraint "budget_user_id_unique" unique ("user_id");`);

    this.addSql(`create table "payment_jar_assignment" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "payment_id" uuid not null, "user_id" uuid not null, "jar_id" uuid not null, constraint "payment_jar_assignment_pkey" primary key ("id"));`);
    this.addSql(`alter table "payment_jar_assignment" add constraint "payment_jar_assignment_payment_id_unique" unique ("payment_id");`);
    this.addSql(`create index "payment_jar_assignment_user_id_index" on "payment_jar_assignment" ("user_id");`);
    this.addSql(`create index "payment_jar_assignment_jar_id_index" on "payment_jar_assignment" ("jar_id");`);

    this.addSql(`alter table "jar" add constraint "jar_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "fee" add constraint "fee_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "fee" add constraint "fee_jar_id_foreign" foreign key ("jar_id") references "jar" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "budget_alert" add constraint "budget_alert_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "budget_alert" add constraint "budget_alert_jar_id_foreign" foreign key ("jar_id") references "jar" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "budget" add constraint "budget_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "payment_jar_assignment" add constraint "payment_jar_assignment_payment_id_foreign" foreign key ("payment_id") references "card_payment" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "payment_jar_assignment" add constraint "payment_jar_assignment_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "payment_jar_assignment" add constraint "payment_jar_assignment_jar_id_foreign" foreign key ("jar_id") references "jar" ("id") on update cascade on delete cascade;`);

    // The plans branch adds the same column: "if not exists" lets both migrations apply in either order.
    this.addSql(`alter table "user_preferences" add column if not exists "time_zone" text not null default 'UTC';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "fee" drop constraint "fee_jar_id_foreign";`);

    this.addSql(`alter table "budget_alert" drop constraint "budget_alert_jar_id_foreign";`);

    this.addSql(`alter table "payment_jar_assignment" drop constraint "payment_jar_assignment_jar_id_foreign";`);

    this.addSql(`drop table if exists "jar" cascade;`);

    this.addSql(`drop table if exists "fee" cascade;`);

    this.addSql(`drop table if exists "budget_alert" cascade;`);

    this.addSql(`drop table if exists "budget" cascade;`);

    this.addSql(`drop table if exists "payment_jar_assignment" cascade;`);

    this.addSql(`alter table "user_preferences" drop column if exists "time_zone";`);

    this.addSql(`drop type "fee_cadence";`);
  }

}
