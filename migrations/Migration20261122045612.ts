import { Migration } from '@mikro-orm/migrations';

export class Migration20261122045612 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "agent_run_status" as enum ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');`);
    this.addSql(`create table "agent_run" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "session_id" uuid not null, "user_id" uuid not null, "status" "agent_run_status" not null default 'QUEUED', "provider" text not null, "model" text not null, "user_message_id" uuid not null, "assistant_message_id" uuid null, "client_message_id" text null, "steps" jsonb not null, "tool_calls" jsonb not null, "usage" jsonb null, "error" jsonb null, "finished_at" timestamptz null, constraint "agent_run_pkey" primary key ("id"));`);
    this.addSql(`create index "agent_run_user_id_index" on "agent_run" ("user_id");`);
    this.addSql(`create index "agent_run_session_id_created_at_index" on "agent_run" ("session_id", "created_at");`);
    this.addSql(`alter table "agent_run" add constraint "agent_run_session_id_client_message_id_unique" unique ("session_id", "client_message_id");`);
    // At most one unfinished run per session, whatever races reach the database.
    this.addSql(`create unique index "agent_run_one_unfinished_per_session" on "agent_run" ("session_id") where "status" in ('QUEUED', 'RUNNING');`);

    this.addSql(`create table "agent_event_record" ("id" bigserial primary key, "run_id" uuid not null, "session_id" uuid not null, "seq" int not null, "type" text not null, "data" jsonb not null, "at" timestamptz not null);`);
    this.addSql(`alter table "agent_event_record" add constraint "agent_event_record_run_id_seq_unique" unique ("run_id", "seq");`);

    this.addSql(`alter table "agent_run" add constraint "agent_run_session_id_foreign" foreign key ("session_id") references "chat_session" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "agent_event_record" add constraint "agent_event_record_run_id_foreign" foreign key ("run_id") references "agent_run" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "agent_event_record" drop constraint "agent_event_record_run_id_foreign";`);

    this.addSql(`drop table if exists "agent_run" cascade;`);

    this.addSql(`drop table if exists "agent_event_record" cascade;`);

    this.addSql(`drop type "agent_run_status";`);
  }

}
