import { Entity, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';

/** A webhook the gateway accepted, by the aggregator's id: a replay finds it here and is refused, on any instance. */
@Entity()
export class WebhookReceipt extends BaseEntity {
  @Unique()
  @Property({ type: 'text' })
  webhookId!: string;

  @Property({ type: 'text' })
  itemExternalId!: string;
}
