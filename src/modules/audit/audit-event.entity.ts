import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';

/**
 * One row of the append-only audit trail. Written only by statements (audit.sql.ts) in
 * the transaction of what it records, without its place in the chain: the chainer (database
 * function `audit_event_chain_pending`) gives it `seq`, `prevHash` and `hash` soon after, once,
 * outside the transaction that held the account locks. The database refuses any other UPDATE and
 * every DELETE. This entity is for reading and for the schema's snapshot.
 */
@Entity({ tableName: 'audit_event' })
@Unique({ properties: ['chain', 'seq'] })
@Index({ properties: ['userId', 'id'] })
@Index({ name: 'audit_event_unchained_index', expression: 'create index "audit_event_unchained_index" on "audit_event" ("at", "id") where "hash" is null' })
export class AuditEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at!: Date;

  /** Whose trail it is (null: the system's). No foreign key: the trail outlives every other row. */
  @Property({ type: 'uuid', nullable: true })
  userId!: string | null;

  /** Who did it (null: the system, or a caller not signed in). */
  @Property({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text', nullable: true })
  target!: string | null;

  @Property({ type: 'text' })
  outcome!: string;

  @Property({ type: 'text', nullable: true })
  ip!: string | null;

  @Property({ type: 'text', nullable: true })
  userAgent!: string | null;

  /** The chain: the user's id, or 'system'. */
  @Property({ type: 'text' })
  chain!: string;

  /** Null until chained. */
  @Property({ type: 'bigint', nullable: true })
  seq!: string | null;

  @Property({ type: 'text', nullable: true })
  prevHash!: string | null;

  @Property({ type: 'text', nullable: true })
  hash!: string | null;
}
