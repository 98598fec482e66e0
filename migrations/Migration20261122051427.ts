import { Migration } from '@mikro-orm/migrations';

export class Migration20261122051427 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "agent_run" add column "instance_id" text null, add column "heartbeat_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "agent_run" drop column "instance_id", drop column "heartbeat_at";`);
  }

}
