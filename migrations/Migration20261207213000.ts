import { Migration } from '@mikro-orm/migrations';

export class Migration20261207213000 extends Migration {

  override async up(): Promise<void> {
    // The money path's unlocked fast path (transfers/transfer.batch.ts) writes in one statement
    // only if what it read is unchanged; this ends the statement, and so undoes all of it, when
    // not. Its own SQLSTATE, so the caller tells a stale read from any other failure.
    this.addSql(`create function "gateway_expect"(ok boolean, what text) returns boolean language plpgsql volatile as $$
begin
  if not ok then raise exception 'stale read: %', what using errcode = 'GW409'; end if;
  return true;
end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists "gateway_expect"(boolean, text);`);
  }

}
