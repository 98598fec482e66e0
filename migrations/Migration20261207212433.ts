import { Migration } from '@mikro-orm/migrations';

export class Migration20261207212433 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "group_expense_proposal" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "group_id" uuid not null, "proposed_by_id" uuid not null, "state" jsonb not null, "expires_at" timestamptz not null, "expense_id" uuid null, constraint "group_expense_proposal_pkey" primary key ("id"));`);
    this.addSql(`alter table "group_expense_proposal" add constraint "group_expense_proposal_expense_id_unique" unique ("expense_id");`);
    this.addSql(`create index "group_expense_proposal_group_id_id_index" on "group_expense_proposal" ("group_id", "id");`);

    this.addSql(`alter table "group_expense_proposal" add constraint "group_expense_proposal_group_id_foreign" foreign key ("group_id") references "expense_group" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "group_expense_proposal" add constraint "group_expense_proposal_proposed_by_id_foreign" foreign key ("proposed_by_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "group_expense_proposal" add constraint "group_expense_proposal_expense_id_foreign" foreign key ("expense_id") references "group_expense" ("id") on update cascade on delete set null;`);

    this.addSql(`alter type "conversation_type" add value if not exists 'GROUP' after 'PLANNING';`);

    this.addSql(`alter table "message" add column "author_id" uuid null;`);
    this.addSql(`alter table "message" add constraint "message_author_id_foreign" foreign key ("author_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "expense_group" add column "chat_session_id" uuid null;`);
    this.addSql(`alter table "expense_group" add constraint "expense_group_chat_session_id_foreign" foreign key ("chat_session_id") references "chat_session" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "expense_group" add constraint "expense_group_chat_session_id_unique" unique ("chat_session_id");`);

    this.addSql(`create index "group_expense_payers_index" on "group_expense" using gin ("payers" jsonb_path_ops);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "group_expense_proposal" cascade;`);

    this.addSql(`alter table "expense_group" drop constraint "expense_group_chat_session_id_foreign";`);

    this.addSql(`alter table "message" drop constraint "message_author_id_foreign";`);

    this.addSql(`alter table "expense_group" drop constraint "expense_group_chat_session_id_unique";`);
    this.addSql(`alter table "expense_group" drop column "chat_session_id";`);

    this.addSql(`drop index "group_expense_payers_index";`);

    this.addSql(`alter table "message" drop column "author_id";`);
  }

}
