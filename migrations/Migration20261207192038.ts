import { Migration } from '@mikro-orm/migrations';

/** Existing sessions become one path: each message's parent is the one before it, the leaf the last. */
export const ONE_PATH_PER_SESSION = [
  `update "message" m set "parent_id" = o."prev" from (select "id", lag("id") over (partition by "session_id" order by "seq") as "prev" from "message") o where o."id" = m."id" and o."prev" is not null;`,
  `update "chat_session" s set "active_leaf_id" = (select m."id" from "message" m where m."session_id" = s."id" order by m."seq" desc limit 1);`,
];

export class Migration20261207192038 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "chat_session" add column "active_leaf_id" uuid null;`);
    this.addSql(`alter table "chat_session" add constraint "chat_session_active_leaf_id_foreign" foreign key ("active_leaf_id") references "message" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "message" add column "parent_id" uuid null;`);
    this.addSql(`alter table "message" add constraint "message_parent_id_foreign" foreign key ("parent_id") references "message" ("id") on update cascade on delete cascade;`);
    this.addSql(`create index "message_parent_id_index" on "message" ("parent_id");`);

    for (const statement of ONE_PATH_PER_SESSION) this.addSql(statement);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "chat_session" drop constraint "chat_session_active_leaf_id_foreign";`);

    this.addSql(`alter table "message" drop constraint "message_parent_id_foreign";`);

    this.addSql(`alter table "chat_session" drop column "active_leaf_id";`);

    this.addSql(`drop index "message_parent_id_index";`);
    this.addSql(`alter table "message" drop column "parent_id";`);
  }

}
