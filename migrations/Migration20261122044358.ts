import { Migration } from '@mikro-orm/migrations';

export class Migration20261122044358 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "account_status" as enum ('OPEN', 'CLOSED');`);
    this.addSql(`create type "transfer_origin" as enum ('USER', 'ASSISTANT', 'OPERATOR');`);
    this.addSql(`create type "transfer_status" as enum ('PENDING_CONFIRMATION', 'POSTED', 'CANCELLED', 'EXPIRED');`);
    this.addSql(`create type "entry_direction" as enum ('DEBIT', 'CREDIT');`);
    this.addSql(`create table "account" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid null, "number" text not null, "name" text not null, "currency" text not null, "balance" bigint not null default 0, "status" "account_status" not null default 'OPEN', "entry_seq" int not null default 0, "system" boolean not null default false, constraint "account_pkey" primary key ("id"), constraint account_balance_check check (system or balance >= 0));`);
    this.addSql(`create index "account_user_id_index" on "account" ("user_id");`);
    this.addSql(`alter table "account" add constraint "account_number_unique" unique ("number");`);

    this.addSql(`create table "transfer" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "initiator_id" uuid not null, "origin" "transfer_origin" not null, "status" "transfer_status" not null, "from_account_id" uuid not null, "to_account_id" uuid not null, "from_user_id" uuid null, "to_user_id" uuid null, "from_account_number" text null, "to_account_number" text not null, "amount" bigint not null, "currency" text not null, "description" text null, "idempotency_key" text null, "posted_at" timestamptz null, "expires_at" timestamptz null, constraint "transfer_pkey" primary key ("id"), constraint transfer_amount_check check (amount > 0));`);
    this.addSql(`create index "transfer_initiator_id_index" on "transfer" ("initiator_id");`);
    this.addSql(`create index "transfer_from_account_id_index" on "transfer" ("from_account_id");`);
    this.addSql(`create index "transfer_to_account_id_index" on "transfer" ("to_account_id");`);
    this.addSql(`create index "transfer_from_user_id_index" on "transfer" ("from_user_id");`);
    this.addSql(`create index "transfer_to_user_id_index" on "transfer" ("to_user_id");`);

    this.addSql(`create table "idempotency_key" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "key" text not null, "request_hash" text not null, "transfer_id" uuid null, "error_code" text null, "error_message" text null, constraint "idempotency_key_pkey" primary key ("id"));`);
    this.addSql(`alter table "idempotency_key" add constraint "idempotency_key_user_id_key_unique" unique ("user_id", "key");`);

    this.addSql(`create table "ledger_entry" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "account_id" uuid not null, "transfer_id" uuid not null, "user_id" uuid null, "seq" int not null, "direction" "entry_direction" not null, "amount" bigint not null, "balance_after" bigint not null, "currency" text not null, "description" text null, "posted_at" timestamptz not null, constraint "ledger_entry_pkey" primary key ("id"), constraint ledger_entry_amount_check check (amount > 0));`);
    this.addSql(`create index "ledger_entry_transfer_id_index" on "ledger_entry" ("transfer_id");`);
    this.addSql(`create index "ledger_entry_user_id_index" on "ledger_entry" ("user_id");`);
    this.addSql(`create index "ledger_entry_account_id_posted_at_index" on "ledger_entry" ("account_id", "posted_at");`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_account_id_seq_unique" unique ("account_id", "seq");`);

    this.addSql(`alter table "account" add constraint "account_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "transfer" add constraint "transfer_initiator_id_foreign" foreign key ("initiator_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "transfer" add constraint "transfer_from_account_id_foreign" foreign key ("from_account_id") references "account" ("id") on update cascade;`);
    this.addSql(`alter table "transfer" add constraint "transfer_to_account_id_foreign" foreign key ("to_account_id") references "account" ("id") on update cascade;`);
    this.addSql(`alter table "transfer" add constraint "transfer_from_user_id_foreign" foreign key ("from_user_id") references "app_user" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "transfer" add constraint "transfer_to_user_id_foreign" foreign key ("to_user_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "idempotency_key" add constraint "idempotency_key_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "idempotency_key" add constraint "idempotency_key_transfer_id_foreign" foreign key ("transfer_id") references "transfer" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_account_id_foreign" foreign key ("account_id") references "account" ("id") on update cascade;`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_transfer_id_foreign" foreign key ("transfer_id") references "transfer" ("id") on update cascade;`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete set null;`);

    // Hand-written: the books are append-only. Entries never change; a transfer is final once it leaves PENDING_CONFIRMATION.
    this.addSql(`create function "ledger_is_append_only"() returns trigger language plpgsql as $$ begin raise exception '% rows are append-only', tg_table_name using errcode = 'P0001'; end $$;`);
    this.addSql(`create trigger "ledger_entry_append_only" before update or delete on "ledger_entry" for each row execute function "ledger_is_append_only"();`);
    this.addSql(`create trigger "transfer_final" before update or delete on "transfer" for each row when (old."status" <> 'PENDING_CONFIRMATION') execute function "ledger_is_append_only"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "transfer_final" on "transfer";`);
    this.addSql(`drop trigger if exists "ledger_entry_append_only" on "ledger_entry";`);
    this.addSql(`drop function if exists "ledger_is_append_only"();`);

    this.addSql(`alter table "transfer" drop constraint "transfer_from_account_id_foreign";`);

    this.addSql(`alter table "transfer" drop constraint "transfer_to_account_id_foreign";`);

    this.addSql(`alter table "ledger_entry" drop constraint "ledger_entry_account_id_foreign";`);

    this.addSql(`alter table "idempotency_key" drop constraint "idempotency_key_transfer_id_foreign";`);

    this.addSql(`alter table "ledger_entry" drop constraint "ledger_entry_transfer_id_foreign";`);

    this.addSql(`drop table if exists "account" cascade;`);

    this.addSql(`drop table if exists "transfer" cascade;`);

    this.addSql(`drop table if exists "idempotency_key" cascade;`);

    this.addSql(`drop table if exists "ledger_entry" cascade;`);

    this.addSql(`drop type "account_status";`);
    this.addSql(`drop type "transfer_origin";`);
    this.addSql(`drop type "transfer_status";`);
    this.addSql(`drop type "entry_direction";`);
  }

}
