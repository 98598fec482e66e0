import { Migration } from '@mikro-orm/migrations';

export class Migration20261207155242 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_event" ("id" uuid not null, "at" timestamptz not null, "user_id" uuid null, "actor_id" uuid null, "action" text not null, "target" text null, "outcome" text not null, "ip" text null, "user_agent" text null, "chain" text not null, "seq" bigint not null, "prev_hash" text not null, "hash" text not null, constraint "audit_event_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_event_user_id_id_index" on "audit_event" ("user_id", "id");`);
    this.addSql(`alter table "audit_event" add constraint "audit_event_chain_seq_unique" unique ("chain", "seq");`);

    // The chain: each row's hash covers its content and the previous row's hash in its chain (one
    // chain per user, 'system' for the rest), so an edited or removed row breaks what follows it.
    this.addSql(`create function "audit_event_digest"(prev text, e "audit_event") returns text language sql stable as $$ select encode(sha256(convert_to(prev || jsonb_build_array(e."id", (extract(epoch from e."at") * 1000000)::bigint, e."user_id", e."actor_id", e."action", e."target", e."outcome", e."ip", e."user_agent", e."chain", e."seq")::text, 'UTF8')), 'hex') $$;`);
    // One writer per chain at a time (a transaction-scoped lock on the chain); volatile, so the
    // select sees rows committed while it waited and those earlier in the same statement.
    this.addSql(`create function "audit_event_chain"() returns trigger language plpgsql volatile as $$ declare last record; begin perform pg_advisory_xact_lock(hashtextextended('audit:' || new."chain", 0)); select e."seq", e."hash" into last from "audit_event" e where e."chain" = new."chain" order by e."seq" desc limit 1; new."seq" := coalesce(last."seq", 0) + 1; new."prev_hash" := coalesce(last."hash", repeat('0', 64)); new."hash" := "audit_event_digest"(new."prev_hash", new); return new; end $$;`);
    this.addSql(`create trigger "audit_event_chain" before insert on "audit_event" for each row execute function "audit_event_chain"();`);
    this.addSql(`create trigger "audit_event_append_only" before update or delete on "audit_event" for each row execute function "ledger_is_append_only"();`);
    this.addSql(`create function "audit_event_no_truncate"() returns trigger language plpgsql as $$ begin raise exception 'audit_event rows are append-only' using errcode = 'P0001'; end $$;`);
    this.addSql(`create trigger "audit_event_no_truncate" before truncate on "audit_event" for each statement execute function "audit_event_no_truncate"();`);

    this.addSql(`alter table "app_user" add column "deleted_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_event" cascade;`);
    this.addSql(`drop function if exists "audit_event_chain"();`);
    this.addSql(`drop function if exists "audit_event_no_truncate"();`);

    this.addSql(`alter table "app_user" drop column "deleted_at";`);
  }

}
