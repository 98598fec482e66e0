import { Migration } from '@mikro-orm/migrations';

export class Migration20261207155242 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_event" ("id" uuid not null, "at" timestamptz not null, "user_id" uuid null, "actor_id" uuid null, "action" text not null, "target" text null, "outcome" text not null, "ip" text null, "user_agent" text null, "chain" text not null, "seq" bigint null, "prev_hash" text null, "hash" text null, constraint "audit_event_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_event_user_id_id_index" on "audit_event" ("user_id", "id");`);
    this.addSql(`create index "audit_event_unchained_index" on "audit_event" ("at", "id") where "hash" is null;`);
    this.addSql(`alter table "audit_event" add constraint "audit_event_chain_seq_unique" unique ("chain", "seq");`);

    // The chain: each row's hash covers its content and the previous row's hash in its chain (one
    // chain per user, 'system' for the rest), so an edited or removed row breaks what follows it.
    this.addSql(`create function "audit_event_digest"(prev text, e "audit_event") returns text language sql stable as $$ select encode(sha256(convert_to(prev || jsonb_build_array(e."id", (extract(epoch from e."at") * 1000000)::bigint, e."user_id", e."actor_id", e."action", e."target", e."outcome", e."ip", e."user_agent", e."chain", e."seq")::text, 'UTF8')), 'hex') $$;`);
    // Rows are inserted unchained (a plain insert on the money path); this gives them their place,
    // oldest first, one chainer at a time across the fleet. Returns how many it chained.
    this.addSql(`create function "audit_event_chain_pending"(max_rows int, wait boolean) returns int language plpgsql volatile as $$
declare
  e "audit_event";
  heads jsonb := '{}';
  head jsonb;
  ids uuid[] := '{}';
  seqs bigint[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
begin
  if wait then perform pg_advisory_xact_lock(hashtextextended('audit_event_chainer', 0));
  elsif not pg_try_advisory_xact_lock(hashtextextended('audit_event_chainer', 0)) then return 0;
  end if;
  -- Each chain's head is read once per call; the rows are hashed in memory and written in one UPDATE.
  for e in select * from "audit_event" u where u."hash" is null order by u."at", u."id" limit max_rows loop
    head := heads -> e."chain";
    if head is null then
      select jsonb_build_object('seq', c."seq", 'hash', c."hash") into head from "audit_event" c
        where c."chain" = e."chain" and c."seq" is not null order by c."seq" desc limit 1;
      head := coalesce(head, jsonb_build_object('seq', 0, 'hash', repeat('0', 64)));
    end if;
    e."seq" := (head ->> 'seq')::bigint + 1;
    e."prev_hash" := head ->> 'hash';
    e."hash" := "audit_event_digest"(e."prev_hash", e);
    heads := heads || jsonb_build_object(e."chain", jsonb_build_object('seq', e."seq", 'hash', e."hash"));
    ids := ids || e."id"; seqs := seqs || e."seq"; prevs := prevs || e."prev_hash"; hashes := hashes || e."hash";
  end loop;
  if cardinality(ids) > 0 then
    update "audit_event" a set "seq" = v.s, "prev_hash" = v.p, "hash" = v.h
      from unnest(ids, seqs, prevs, hashes) as v(i, s, p, h) where a."id" = v.i;
  end if;
  return cardinality(ids);
end $$;`);
    // Append-only: the one UPDATE allowed is the chainer's, once, on the chain columns alone.
    this.addSql(`create function "audit_event_guard"() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old."hash" is null and new."hash" is not null
    and (new."id", new."at", new."user_id", new."actor_id", new."action", new."target", new."outcome", new."ip", new."user_agent", new."chain")
      is not distinct from (old."id", old."at", old."user_id", old."actor_id", old."action", old."target", old."outcome", old."ip", old."user_agent", old."chain") then
    return new;
  end if;
  raise exception 'audit_event rows are append-only' using errcode = 'P0001';
end $$;`);
    this.addSql(`create trigger "audit_event_append_only" before update or delete on "audit_event" for each row execute function "audit_event_guard"();`);
    this.addSql(`create trigger "audit_event_no_truncate" before truncate on "audit_event" for each statement execute function "audit_event_guard"();`);

    this.addSql(`alter table "app_user" add column "deleted_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_event" cascade;`);
    this.addSql(`drop function if exists "audit_event_guard"();`);

    this.addSql(`alter table "app_user" drop column "deleted_at";`);
  }

}
