import { Entity, Enum, Index, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { Goal, Priority } from './goal.entity.js';

export enum PlanItemStatus {
  TODO = 'TODO',
  DONE = 'DONE',
  SKIPPED = 'SKIPPED',
}
registerEnumType(PlanItemStatus, {
  name: 'PlanItemStatus',
  description: 'What became of a plan item.',
  valuesConfig: { TODO: { description: 'Not done yet.' }, DONE: { description: 'Done.' }, SKIPPED: { description: 'Deliberately not done.' } },
});

/** One per user and week; weekStart is the Monday, in the user's time zone. */
@Entity()
@Unique({ properties: ['user', 'weekStart'] })
export class WeeklyPlan extends BaseEntity<'summary' | 'focusAreas'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  weekStart!: string;

  @Property({ type: 'text', nullable: true })
  summary: string | null = null;

  @Property({ type: 'json' })
  focusAreas: string[] = [];
}

/** One per user and day; the row whose lock orders its items' positions. */
@Entity()
@Unique({ properties: ['user', 'date'] })
export class DailyPlan extends BaseEntity<'summary'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  date!: string;

  @Property({ type: 'text', nullable: true })
  summary: string | null = null;
}

@Entity()
@Index({ properties: ['dailyPlan', 'position'] })
export class PlanItem extends BaseEntity<'notes' | 'status' | 'priority' | 'time' | 'goal'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => DailyPlan, { ref: true, deleteRule: 'cascade' })
  dailyPlan!: Ref<DailyPlan>;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  notes: string | null = null;

  @Enum({ items: () => PlanItemStatus, nativeEnumName: 'plan_item_status' })
  status: PlanItemStatus = PlanItemStatus.TODO;

  @Enum({ items: () => Priority, nativeEnumName: 'priority' })
  priority: Priority = Priority.MEDIUM;

  /** 0-based order within its day; kept 0..n-1 under the day's row lock. */
  @Property({ type: 'integer' })
  position!: number;

  /** 'HH:MM'. */
  @Property({ type: 'text', nullable: true })
  time: string | null = null;

  @Index()
  @ManyToOne(() => Goal, { ref: true, nullable: true, deleteRule: 'set null' })
  goal: Ref<Goal> | null = null;
}
