import { Migration } from '@mikro-orm/migrations';

export class Migration20261207190639 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "agent_run" add column "attempts" jsonb not null default '[]';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "agent_run" drop column "attempts";`);
  }

}
