import { Entity, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { TemplateSection } from './drafts.types.js';

export interface TemplateSectionData {
  name: string;
  description: string;
  aliases: string[];
}

@ObjectType('UserTemplate', { description: "A journaling template: the sections a draft has. Exactly one of the user's templates is active." })
@Entity()
// At most one active template per user, whatever races.
@Index({
  name: 'user_template_one_active_index',
  expression: 'create unique index "user_template_one_active_index" on "user_template" ("user_id") where "active"',
})
export class UserTemplate extends BaseEntity<'active'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: true })
  user: Ref<User>;

  @Field(() => String, { description: '1 to 100 characters.' })
  @Property({ type: 'text' })
  name: string;

  @Field(() => [TemplateSection], { description: 'In the order drafts show them.' })
  @Property({ type: 'json' })
  sections: TemplateSectionData[];

  @Field(() => Boolean, { description: 'True for the template new drafts use.' })
  @Property({ type: 'boolean' })
  active = false;

  @Field(() => Date, { description: 'Last change (UTC).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  override updatedAt: Date = new Date();

  constructor(user: Ref<User>, name: string, sections: TemplateSectionData[], active = false) {
    super();
    this.user = user;
    this.name = name;
    this.sections = sections;
    this.active = active;
  }
}
