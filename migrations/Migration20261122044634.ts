import { Migration } from '@mikro-orm/migrations';

export class Migration20261122044634 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "conversation_type" as enum ('GENERAL', 'JOURNALING', 'COACHING');`);
    this.addSql(`create type "message_role" as enum ('USER', 'ASSISTANT', 'SYSTEM');`);
    this.addSql(`create type "feedback_style" as enum ('SUPPORTIVE', 'DIRECT', 'ENCOURAGING');`);
    this.addSql(`create table "chat_session" ("id" uuid not null, "created_at" timestamptz not null, "user_id" uuid not null, "title" text null, "conversation_type" "conversation_type" not null, "archived" boolean not null default false, "metadata" jsonb null, "message_count" int not null default 0, "updated_at" timestamptz not null, constraint "chat_session_pkey" primary key ("id"));`);
    this.addSql(`create index "chat_session_user_id_updated_at_id_index" on "chat_session" ("user_id", "updated_at", "id");`);

    this.addSql(`create table "message" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "session_id" uuid not null, "seq" int not null, "role" "message_role" not null, "content" text not null, "run_id" uuid null, constraint "message_pkey" primary key ("id"));`);
    this.addSql(`alter table "message" add constraint "message_session_id_seq_unique" unique ("session_id", "seq");`);

    this.addSql(`create table "journal_entry" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "session_id" uuid null, "title" text not null, "sections" jsonb not null, "search_text" text not null, constraint "journal_entry_pkey" primary key ("id"));`);
    this.addSql(`create index "journal_entry_session_id_index" on "journal_entry" ("session_id");`);
    this.addSql(`create index "journal_entry_search_index" on "journal_entry" using gin (to_tsvector('english', "search_text"));`);
    this.addSql(`create index "journal_entry_user_id_created_at_id_index" on "journal_entry" ("user_id", "created_at", "id");`);

    this.addSql(`create table "draft" ("id" uuid not null, "created_at" timestamptz not null, "session_id" uuid not null, "sections" jsonb not null, "updated_at" timestamptz not null, constraint "draft_pkey" primary key ("id"));`);
    this.addSql(`alter table "draft" add constraint "draft_session_id_unique" unique ("session_id");`);

    this.addSql(`create table "user_preferences" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "purpose_statement" text null, "long_term_goals" jsonb not null, "known_challenges" jsonb not null, "preferred_feedback_style" "feedback_style" not null default 'SUPPORTIVE', "personal_glossary" jsonb not null, constraint "user_preferences_pkey" primary key ("id"));`);
    this.addSql(`alter table "user_preferences" add constraint "user_preferences_user_id_unique" unique ("user_id");`);

    this.addSql(`create table "user_template" ("id" uuid not null, "created_at" timestamptz not null, "user_id" uuid not null, "name" text not null, "sections" jsonb not null, "active" boolean not null default false, "updated_at" timestamptz not null, constraint "user_template_pkey" primary key ("id"));`);
    this.addSql(`create index "user_template_user_id_index" on "user_template" ("user_id");`);
    this.addSql(`create unique index "user_template_one_active_index" on "user_template" ("user_id") where "active";`);

    this.addSql(`alter table "chat_session" add constraint "chat_session_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "message" add constraint "message_session_id_foreign" foreign key ("session_id") references "chat_session" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "journal_entry" add constraint "journal_entry_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_session_id_foreign" foreign key ("session_id") references "chat_session" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "draft" add constraint "draft_session_id_foreign" foreign key ("session_id") references "chat_session" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "user_preferences" add constraint "user_preferences_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "user_template" add constraint "user_template_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "message" drop constraint "message_session_id_foreign";`);

    this.addSql(`alter table "journal_entry" drop constraint "journal_entry_session_id_foreign";`);

    this.addSql(`alter table "draft" drop constraint "draft_session_id_foreign";`);

    this.addSql(`drop table if exists "chat_session" cascade;`);

    this.addSql(`drop table if exists "message" cascade;`);

    this.addSql(`drop table if exists "journal_entry" cascade;`);

    this.addSql(`drop table if exists "draft" cascade;`);

    this.addSql(`drop table if exists "user_preferences" cascade;`);

    this.addSql(`drop table if exists "user_template" cascade;`);

    this.addSql(`drop type "conversation_type";`);
    this.addSql(`drop type "message_role";`);
    this.addSql(`drop type "feedback_style";`);
  }

}
