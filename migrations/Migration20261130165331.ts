import { Migration } from '@mikro-orm/migrations';

export class Migration20261130165331 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "card_kind" as enum ('PHYSICAL', 'VIRTUAL');`);
    this.addSql(`create type "card_status" as enum ('ACTIVE', 'FROZEN', 'CANCELLED');`);
    this.addSql(`create type "spending_category" as enum ('GROCERIES', 'DINING', 'TRANSPORT', 'HOUSING', 'UTILITIES', 'HEALTH', 'SHOPPING', 'ENTERTAINMENT', 'TRAVEL', 'EDUCATION', 'SUBSCRIPTIONS', 'CASH', 'FEES', 'OTHER');`);
    this.addSql(`create type "card_payment_status" as enum ('APPROVED', 'DECLINED');`);
    this.addSql(`create type "decline_reason" as enum ('CARD_FROZEN', 'CARD_CANCELLED', 'CARD_EXPIRED', 'INSUFFICIENT_FUNDS', 'MONTHLY_LIMIT_EXCEEDED', 'CURRENCY_MISMATCH', 'ACCOUNT_CLOSED');`);
    this.addSql(`create table "card" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "account_id" uuid not null, "user_id" uuid not null, "currency" text not null, "kind" "card_kind" not null, "label" text null, "last4" text not null, "expiry_month" smallint not null, "expiry_year" smallint not null, "status" "card_status" not null default 'ACTIVE', "monthly_limit" bigint null, constraint "card_pkey" primary key ("id"), constraint card_monthly_limit_check check (monthly_limit is null or monthly_limit > 0));`);
    this.addSql(`create index "card_account_id_index" on "card" ("account_id");`);
    this.addSql(`create index "card_user_id_index" on "card" ("user_id");`);

    this.addSql(`create table "card_payment" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "card_id" uuid not null, "account_id" uuid not null, "user_id" uuid not null, "recorded_by_id" uuid not null, "merchant" text not null, "merchant_category_code" text not null, "category" "spending_category" not null, "amount" bigint not null, "currency" text not null, "status" "card_payment_status" not null, "decline_reason" "decline_reason" null, "transfer_id" uuid null, "idempotency_key" text not null, "request_hash" text not null, constraint "card_payment_pkey" primary key ("id"), constraint card_payment_amount_check check (amount > 0));`);
    this.addSql(`create index "card_payment_account_id_index" on "card_payment" ("account_id");`);
    this.addSql(`create index "card_payment_user_id_created_at_id_index" on "card_payment" ("user_id", "created_at", "id");`);
    this.addSql(`create index "card_payment_card_id_status_created_at_index" on "card_payment" ("card_id", "status", "created_at");`);
    this.addSql(`alter table "card_payment" add constraint "card_payment_recorded_by_id_idempotency_key_unique" unique ("recorded_by_id", "idempotency_key");`);

    this.addSql(`alter table "card" add constraint "card_account_id_foreign" foreign key ("account_id") references "account" ("id") on update cascade;`);
    this.addSql(`alter table "card" add constraint "card_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade;`);

    this.addSql(`alter table "card_payment" add constraint "card_payment_card_id_foreign" foreign key ("card_id") references "card" ("id") on update cascade;`);
    this.addSql(`alter table "card_payment" add constraint "card_payment_account_id_foreign" foreign key ("account_id") references "account" ("id") on update cascade;`);
    this.addSql(`alter table "card_payment" add constraint "card_payment_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "card_payment" add constraint "card_payment_recorded_by_id_foreign" foreign key ("recorded_by_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "card_payment" add constraint "card_payment_transfer_id_foreign" foreign key ("transfer_id") references "transfer" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "card_payment" drop constraint "card_payment_card_id_foreign";`);

    this.addSql(`drop table if exists "card" cascade;`);

    this.addSql(`drop table if exists "card_payment" cascade;`);

    this.addSql(`drop type "card_kind";`);
    this.addSql(`drop type "card_status";`);
    this.addSql(`drop type "spending_category";`);
    this.addSql(`drop type "card_payment_status";`);
    this.addSql(`drop type "decline_reason";`);
  }

}
