import { Migration } from '@mikro-orm/migrations';

export class Migration20261207190422 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "link_status" as enum ('ACTIVE', 'LOGIN_REQUIRED', 'DISCONNECTED');`);
    this.addSql(`create type "linked_account_kind" as enum ('CHECKING', 'SAVINGS', 'CREDIT_CARD', 'LOAN', 'OTHER');`);
    this.addSql(`create table "linked_item" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "institution_id" text not null, "institution_name" text not null, "external_id" text not null, "access_token_sealed" text null, "cursor" text not null default '', "status" "link_status" not null, "last_synced_at" timestamptz null, "sync_lease_until" timestamptz null, constraint "linked_item_pkey" primary key ("id"));`);
    this.addSql(`create index "linked_item_user_id_index" on "linked_item" ("user_id");`);
    this.addSql(`create index "linked_item_external_id_index" on "linked_item" ("external_id");`);
    this.addSql(`create index "linked_item_status_last_synced_at_index" on "linked_item" ("status", "last_synced_at");`);

    this.addSql(`create table "link_session" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "institution_id" text not null, "institution_name" text not null, "link_url" text not null, "relink_item_id" uuid null, "expires_at" timestamptz not null, "completed_at" timestamptz null, constraint "link_session_pkey" primary key ("id"));`);

    this.addSql(`create table "linked_account" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "item_id" uuid not null, "external_id" text not null, "name" text not null, "mask" text null, "kind" "linked_account_kind" not null, "currency" text not null, "balance" bigint null, "disconnected" boolean not null default false, constraint "linked_account_pkey" primary key ("id"));`);
    this.addSql(`create index "linked_account_user_id_index" on "linked_account" ("user_id");`);
    this.addSql(`alter table "linked_account" add constraint "linked_account_item_id_external_id_unique" unique ("item_id", "external_id");`);

    this.addSql(`create table "linked_transaction" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "account_id" uuid not null, "external_id" text not null, "direction" "transaction_direction" not null, "amount" bigint not null, "currency" text not null, "description" text not null, "merchant" text null, "category" "spending_category" not null, "occurred_on" text not null, "pending" boolean not null, "pending_external_id" text null, constraint "linked_transaction_pkey" primary key ("id"), constraint linked_transaction_amount_check check (amount > 0));`);
    this.addSql(`create index "linked_transaction_user_id_occurred_on_id_index" on "linked_transaction" ("user_id", "occurred_on", "id");`);
    this.addSql(`alter table "linked_transaction" add constraint "linked_transaction_account_id_external_id_unique" unique ("account_id", "external_id");`);

    this.addSql(`create table "webhook_receipt" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "webhook_id" text not null, "item_external_id" text not null, constraint "webhook_receipt_pkey" primary key ("id"));`);
    this.addSql(`alter table "webhook_receipt" add constraint "webhook_receipt_webhook_id_unique" unique ("webhook_id");`);

    this.addSql(`alter table "linked_item" add constraint "linked_item_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "link_session" add constraint "link_session_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "link_session" add constraint "link_session_relink_item_id_foreign" foreign key ("relink_item_id") references "linked_item" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "linked_account" add constraint "linked_account_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "linked_account" add constraint "linked_account_item_id_foreign" foreign key ("item_id") references "linked_item" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "linked_transaction" add constraint "linked_transaction_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "linked_transaction" add constraint "linked_transaction_account_id_foreign" foreign key ("account_id") references "linked_account" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "link_session" drop constraint "link_session_relink_item_id_foreign";`);

    this.addSql(`alter table "linked_account" drop constraint "linked_account_item_id_foreign";`);

    this.addSql(`alter table "linked_transaction" drop constraint "linked_transaction_account_id_foreign";`);

    this.addSql(`drop table if exists "linked_item" cascade;`);

    this.addSql(`drop table if exists "link_session" cascade;`);

    this.addSql(`drop table if exists "linked_account" cascade;`);

    this.addSql(`drop table if exists "linked_transaction" cascade;`);

    this.addSql(`drop table if exists "webhook_receipt" cascade;`);

    this.addSql(`drop type "link_status";`);
    this.addSql(`drop type "linked_account_kind";`);
  }

}
