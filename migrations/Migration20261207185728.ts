import { Migration } from '@mikro-orm/migrations';

export class Migration20261207185728 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "group_role" as enum ('OWNER', 'MEMBER');`);
    this.addSql(`create type "invitation_status" as enum ('PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED');`);
    this.addSql(`create type "split_mode" as enum ('EQUAL', 'EXACT', 'PERCENT', 'SHARES');`);
    this.addSql(`create type "settlement_status" as enum ('PROPOSED', 'SETTLED', 'CANCELLED');`);
    this.addSql(`create table "expense_group" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" text not null, "currency" text not null, "created_by_id" uuid not null, constraint "expense_group_pkey" primary key ("id"));`);

    this.addSql(`create table "group_member" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "group_id" uuid not null, "user_id" uuid not null, "role" "group_role" not null, "joined_at" timestamptz not null, "left_at" timestamptz null, constraint "group_member_pkey" primary key ("id"));`);
    this.addSql(`create index "group_member_user_id_left_at_index" on "group_member" ("user_id", "left_at");`);
    this.addSql(`alter table "group_member" add constraint "group_member_group_id_user_id_unique" unique ("group_id", "user_id");`);

    this.addSql(`create table "group_invitation" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "group_id" uuid not null, "invited_user_id" uuid not null, "invited_by_id" uuid not null, "status" "invitation_status" not null default 'PENDING', constraint "group_invitation_pkey" primary key ("id"));`);
    this.addSql(`create index "group_invitation_group_id_status_index" on "group_invitation" ("group_id", "status");`);
    this.addSql(`create index "group_invitation_invited_user_id_status_index" on "group_invitation" ("invited_user_id", "status");`);

    this.addSql(`create table "group_expense" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "group_id" uuid not null, "description" text not null, "amount" bigint not null, "category" "spending_category" not null, "occurred_on" text not null, "split_mode" "split_mode" not null, "payers" jsonb not null, "shares" jsonb not null, "created_by_id" uuid not null, "version" int not null default 1, "deleted" boolean not null default false, "client_request_id" text null, constraint "group_expense_pkey" primary key ("id"), constraint group_expense_amount_check check (amount > 0));`);
    this.addSql(`create index "group_expense_group_id_id_index" on "group_expense" ("group_id", "id");`);
    this.addSql(`alter table "group_expense" add constraint "group_expense_group_id_created_by_id_client_request_id_unique" unique ("group_id", "created_by_id", "client_request_id");`);

    this.addSql(`create table "group_expense_version" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "expense_id" uuid not null, "version" int not null, "state" jsonb not null, "replaced_by_id" uuid not null, constraint "group_expense_version_pkey" primary key ("id"));`);
    this.addSql(`alter table "group_expense_version" add constraint "group_expense_version_expense_id_version_unique" unique ("expense_id", "version");`);

    this.addSql(`create table "group_settlement" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "group_id" uuid not null, "from_user_id" uuid not null, "to_user_id" uuid not null, "amount" bigint not null, "status" "settlement_status" not null, "from_account_id" uuid null, "transfer_id" uuid null, constraint "group_settlement_pkey" primary key ("id"), constraint group_settlement_amount_check check (amount > 0));`);
    this.addSql(`create index "group_settlement_from_account_id_status_index" on "group_settlement" ("from_account_id", "status");`);
    this.addSql(`create index "group_settlement_group_id_id_index" on "group_settlement" ("group_id", "id");`);

    this.addSql(`alter table "expense_group" add constraint "expense_group_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade;`);

    this.addSql(`alter table "group_member" add constraint "group_member_group_id_foreign" foreign key ("group_id") references "expense_group" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "group_member" add constraint "group_member_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade;`);

    this.addSql(`alter table "group_invitation" add constraint "group_invitation_group_id_foreign" foreign key ("group_id") references "expense_group" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "group_invitation" add constraint "group_invitation_invited_user_id_foreign" foreign key ("invited_user_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "group_invitation" add constraint "group_invitation_invited_by_id_foreign" foreign key ("invited_by_id") references "app_user" ("id") on update cascade;`);

    this.addSql(`alter table "group_expense" add constraint "group_expense_group_id_foreign" foreign key ("group_id") references "expense_group" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "group_expense" add constraint "group_expense_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade;`);

    this.addSql(`alter table "group_expense_version" add constraint "group_expense_version_expense_id_foreign" foreign key ("expense_id") references "group_expense" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "group_expense_version" add constraint "group_expense_version_replaced_by_id_foreign" foreign key ("replaced_by_id") references "app_user" ("id") on update cascade;`);

    this.addSql(`alter table "group_settlement" add constraint "group_settlement_group_id_foreign" foreign key ("group_id") references "expense_group" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "group_settlement" add constraint "group_settlement_from_user_id_foreign" foreign key ("from_user_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "group_settlement" add constraint "group_settlement_to_user_id_foreign" foreign key ("to_user_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "group_settlement" add constraint "group_settlement_from_account_id_foreign" foreign key ("from_account_id") references "account" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "group_settlement" add constraint "group_settlement_transfer_id_foreign" foreign key ("transfer_id") references "transfer" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "group_member" drop constraint "group_member_group_id_foreign";`);

    this.addSql(`alter table "group_invitation" drop constraint "group_invitation_group_id_foreign";`);

    this.addSql(`alter table "group_expense" drop constraint "group_expense_group_id_foreign";`);

    this.addSql(`alter table "group_settlement" drop constraint "group_settlement_group_id_foreign";`);

    this.addSql(`alter table "group_expense_version" drop constraint "group_expense_version_expense_id_foreign";`);

    this.addSql(`drop table if exists "expense_group" cascade;`);

    this.addSql(`drop table if exists "group_member" cascade;`);

    this.addSql(`drop table if exists "group_invitation" cascade;`);

    this.addSql(`drop table if exists "group_expense" cascade;`);

    this.addSql(`drop table if exists "group_expense_version" cascade;`);

    this.addSql(`drop table if exists "group_settlement" cascade;`);

    this.addSql(`drop type "group_role";`);
    this.addSql(`drop type "invitation_status";`);
    this.addSql(`drop type "split_mode";`);
    this.addSql(`drop type "settlement_status";`);
  }

}
