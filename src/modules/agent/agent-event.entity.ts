import { Entity, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { AgentRun } from './agent-run.entity.js';

/** Every event of a run, in seq order, so a late or reconnecting subscriber can replay. */
@Entity()
@Unique({ properties: ['run', 'seq'] })
export class AgentEventRecord {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id?: string;

  @ManyToOne(() => AgentRun, { ref: true, deleteRule: 'cascade' })
  run: Ref<AgentRun>;

  @Property({ type: 'uuid' })
  sessionId: string;

  @Property({ type: 'integer' })
  seq: number;

  @Property({ type: 'text' })
  type: string;

  @Property({ type: 'json' })
  data: Record<string, unknown>;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at: Date;

  constructor(run: Ref<AgentRun>, sessionId: string, seq: number, type: string, data: Record<string, unknown>, at: Date) {
    this.run = run;
    this.sessionId = sessionId;
    this.seq = seq;
    this.type = type;
    this.data = data;
    this.at = at;
  }
}
