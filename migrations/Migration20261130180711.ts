import { Migration } from '@mikro-orm/migrations';

export class Migration20261130180711 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "goal_horizon" as enum ('WEEK', 'MONTH', 'QUARTER', 'YEAR', 'LONG_TERM');`);
    this.addSql(`create type "goal_status" as enum ('ACTIVE', 'ACHIEVED', 'ABANDONED');`);
    this.addSql(`create type "priority" as enum ('LOW', 'MEDIUM', 'HIGH');`);
    this.addSql(`create type "plan_item_status" as enum ('TODO', 'DONE', 'SKIPPED');`);
    this.addSql(`create table "daily_plan" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "date" text not null, "summary" text null, constraint "daily_plan_pkey" primary key ("id"));`);
    this.addSql(`alter table "daily_plan" add constraint "daily_plan_user_id_date_unique" unique ("user_id", "date");`);

    this.addSql(`create table "goal" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "title" text not null, "description" text null, "horizon" "goal_horizon" not null, "status" "goal_status" not null default 'ACTIVE', "priority" "priority" not null default 'MEDIUM', "target_date" text null, "target" bigint null, "currency" text null, "account_id" uuid null, constraint "goal_pkey" primary key ("id"), constraint goal_target_check check (target is null or (target > 0 and currency is not null)));`);
    this.addSql(`create index "goal_account_id_index" on "goal" ("account_id");`);
    this.addSql(`create index "goal_user_id_status_id_index" on "goal" ("user_id", "status", "id");`);

    this.addSql(`create table "plan_item" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "daily_plan_id" uuid not null, "title" text not null, "notes" text null, "status" "plan_item_status" not null default 'TODO', "priority" "priority" not null default 'MEDIUM', "position" int not null, "time" text null, "goal_id" uuid null, constraint "plan_item_pkey" primary key ("id"));`);
    this.addSql(`create index "plan_item_goal_id_index" on "plan_item" ("goal_id");`);
    this.addSql(`create index "plan_item_daily_plan_id_position_index" on "plan_item" ("daily_plan_id", "position");`);

    this.addSql(`create table "weekly_plan" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "week_start" text not null, "summary" text null, "focus_areas" jsonb not null, constraint "weekly_plan_pkey" primary key ("id"));`);
    this.addSql(`alter table "weekly_plan" add constraint "weekly_plan_user_id_week_start_unique" unique ("user_id", "week_start");`);

    this.addSql(`alter table "daily_plan" add constraint "daily_plan_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "goal" add constraint "goal_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "goal" add constraint "goal_account_id_foreign" foreign key ("account_id") references "account" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "plan_item" add constraint "plan_item_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "plan_item" add constraint "plan_item_daily_plan_id_foreign" foreign key ("daily_plan_id") references "daily_plan" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "plan_item" add constraint "plan_item_goal_id_foreign" foreign key ("goal_id") references "goal" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "weekly_plan" add constraint "weekly_plan_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter type "conversation_type" add value if not exists 'REFLECTION' after 'COACHING';`);

    this.addSql(`alter type "conversation_type" add value if not exists 'PLANNING' after 'REFLECTION';`);

    this.addSql(`alter table "chat_session" add column "context_goal_id" uuid null, add column "context_plan_date" text null;`);
    this.addSql(`alter table "chat_session" add constraint "chat_session_context_goal_id_foreign" foreign key ("context_goal_id") references "goal" ("id") on update cascade on delete set null;`);

  }

  override async down(): Promise<void> {
    this.addSql(`alter table "plan_item" drop constraint "plan_item_daily_plan_id_foreign";`);

    this.addSql(`alter table "plan_item" drop constraint "plan_item_goal_id_foreign";`);

    this.addSql(`alter table "chat_session" drop constraint "chat_session_context_goal_id_foreign";`);

    this.addSql(`drop table if exists "daily_plan" cascade;`);

    this.addSql(`drop table if exists "goal" cascade;`);

    this.addSql(`drop table if exists "plan_item" cascade;`);

    this.addSql(`drop table if exists "weekly_plan" cascade;`);

    this.addSql(`alter table "chat_session" drop column "context_goal_id", drop column "context_plan_date";`);


    this.addSql(`drop type "goal_horizon";`);
    this.addSql(`drop type "goal_status";`);
    this.addSql(`drop type "priority";`);
    this.addSql(`drop type "plan_item_status";`);
  }

}
