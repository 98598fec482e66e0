import { Entity, Enum, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { FeedbackStyle } from './preferences.types.js';

export interface GlossaryTermData {
  term: string;
  definition: string;
}

/** One row per user, written on the first update; until then the defaults are shown (see UserPreferencesView). */
@Entity()
export class UserPreferences extends BaseEntity<
  'purposeStatement' | 'longTermGoals' | 'knownChallenges' | 'preferredFeedbackStyle' | 'personalGlossary' | 'timeZone'
> {
  @Unique()
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Property({ type: 'text', nullable: true })
  purposeStatement: string | null = null;

  @Property({ type: 'json' })
  longTermGoals: string[] = [];

  @Property({ type: 'json' })
  knownChallenges: string[] = [];

  @Enum({ items: () => FeedbackStyle, nativeEnumName: 'feedback_style' })
  preferredFeedbackStyle: FeedbackStyle = FeedbackStyle.SUPPORTIVE;

  @Property({ type: 'json' })
  personalGlossary: GlossaryTermData[] = [];

  /** IANA zone: where the user's days and months begin (budgets, plans). */
  @Property({ type: 'text', default: 'UTC' })
  timeZone: string = 'UTC';

  constructor(user: Ref<User>) {
    super();
    this.user = user;
  }
}
