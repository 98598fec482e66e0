import { Length, Matches, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { MinorUnitsScalar } from '../../graphql/scalars.js';
import { TransferStatus } from './transfer.entity.js';

@InputType({
  description:
    'Exactly one of toAccountId / toAccountNumber. Same key + same request returns the first result; same key + a different request is IDEMPOTENCY_KEY_REUSED.',
})
export class CreateTransferInput {
  @Field(() => ID)
  fromAccountId!: string;

  @Field(() => ID, { nullable: true })
  toAccountId?: string | null;

  @Field(() => String, { nullable: true })
  @MaxLength(64, { message: 'is not a valid account number: check it for typos' })
  toAccountNumber?: string | null;

  @Field(() => MinorUnitsScalar, { description: 'Greater than zero and at most 1000000000000000 (10^15) minor units.' })
  amountMinor!: bigint;

  @Field(() => String)
  currency!: string;

  @Field(() => String, { nullable: true })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  description?: string | null;

  @Field(() => String)
  @Length(1, 255, { message: 'must be 1 to 255 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  idempotencyKey!: string;
}

@InputType()
export class DepositInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => MinorUnitsScalar, { description: 'Greater than zero and at most 1000000000000000 (10^15) minor units.' })
  amountMinor!: bigint;

  @Field(() => String)
  currency!: string;

  @Field(() => String, { nullable: true })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  description?: string | null;

  @Field(() => String)
  @Length(1, 255, { message: 'must be 1 to 255 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  idempotencyKey!: string;
}

@ArgsType()
export class TransfersArgs {
  @Field(() => ID, { nullable: true })
  accountId?: string | null;

  @Field(() => TransferStatus, { nullable: true })
  status?: TransferStatus | null;

  @Field(() => Int, { nullable: true, defaultValue: 20 })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

/** What propose (the assistant's propose_transfer tool) and createTransfer share; the key is optional for proposals. */
export interface TransferRequest {
  fromAccountId: string;
  toAccountId?: string | null;
  toAccountNumber?: string | null;
  amountMinor: bigint;
  currency: string;
  description?: string | null;
  idempotencyKey?: string | null;
}
