import { Length, Matches, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { MinorUnitsScalar } from '../../shared/scalars.js';
import { TransferStatus } from './transfer.entity.js';

@InputType({
  description:
    'Exactly one of toAccountId / toAccountNumber. Same key + same request returns the first result; same key + a different request is IDEMPOTENCY_KEY_REUSED.',
})
export class CreateTransferInput {
  @Field(() => ID, { description: "One of the caller's open accounts (NOT_FOUND otherwise)." })
  fromAccountId!: string;

  @Field(() => ID, { description: "An account id: the caller's own, or one from an earlier transfer.", nullable: true })
  toAccountId?: string | null;

  @Field(() => String, { description: "Another user's account number (Account.number), up to 64 characters.", nullable: true })
  @MaxLength(64, { message: 'is not a valid account number: check it for typos' })
  toAccountNumber?: string | null;

  @Field(() => MinorUnitsScalar, { description: 'Greater than zero and at most 1000000000000000 (10^15) minor units.' })
  amountMinor!: bigint;

  @Field(() => String, { description: 'ISO 4217 code; must be the currency of both accounts (CURRENCY_MISMATCH otherwise).' })
  currency!: string;

  @Field(() => String, { description: 'Shown on both ledger entries; at most 500 characters.', nullable: true })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  description?: string | null;

  @Field(() => String, { description: '1 to 255 characters, unique per user, e.g. a UUID made when the form opened. Retrying with the same key is safe.' })
  @Length(1, 255, { message: 'must be 1 to 255 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  idempotencyKey!: string;
}

@InputType({ description: 'OPERATOR only: money entering from outside the bank. The same idempotencyKey returns the first result.' })
export class DepositInput {
  @Field(() => ID, { description: "The account credited (any user's)." })
  accountId!: string;

  @Field(() => MinorUnitsScalar, { description: 'Greater than zero and at most 1000000000000000 (10^15) minor units.' })
  amountMinor!: bigint;

  @Field(() => String, { description: "ISO 4217 code; must be the account's." })
  currency!: string;

  @Field(() => String, { description: 'Shown on the ledger entry; at most 500 characters.', nullable: true })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  description?: string | null;

  @Field(() => String, { description: '1 to 255 characters, unique per operator; retrying with the same key is safe.' })
  @Length(1, 255, { message: 'must be 1 to 255 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  idempotencyKey!: string;
}

@ArgsType()
export class TransfersArgs {
  @Field(() => ID, { description: "Only transfers touching this account; NOT_FOUND when it is not the caller's.", nullable: true })
  accountId?: string | null;

  @Field(() => TransferStatus, { description: 'Only transfers in this status, e.g. PENDING_CONFIRMATION for proposals waiting for the user.', nullable: true })
  status?: TransferStatus | null;

  @Field(() => Int, { description: 'Page size, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true, defaultValue: 20 })
  first?: number | null;

  @Field(() => String, { description: "Opaque cursor from a previous page's pageInfo.endCursor.", nullable: true })
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
