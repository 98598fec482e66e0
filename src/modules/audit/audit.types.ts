import { ArgsType, Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination.js';
import { AuthAction } from '../auth/auth.trail.js';
import { PublicUser } from '../auth/auth.types.js';

/** The actions the trail records; the contract's examples plus the ones this gateway adds. */
export const AuditAction = {
  ...AuthAction,
  TRANSFER_POSTED: 'TRANSFER_POSTED',
  TRANSFER_PROPOSED: 'TRANSFER_PROPOSED',
  TRANSFER_REFUSED: 'TRANSFER_REFUSED',
  TRANSFER_CANCELLED: 'TRANSFER_CANCELLED',
  DEPOSIT_POSTED: 'DEPOSIT_POSTED',
  CARD_PAYMENT: 'CARD_PAYMENT',
  CARD_STATUS_CHANGED: 'CARD_STATUS_CHANGED',
  TOOL_CALLED: 'TOOL_CALLED',
  DATA_EXPORTED: 'DATA_EXPORTED',
  DATA_IMPORTED: 'DATA_IMPORTED',
  ACCOUNT_DELETED: 'ACCOUNT_DELETED',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

export { SUCCEEDED } from '../auth/auth.trail.js';

@ObjectType('AuditEvent', {
  description: 'A security or money event, append-only. Each row carries the hash of the one before it, so a removed or edited row breaks the chain.',
})
export class AuditEventView {
  @Field(() => ID, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => Date, { description: 'When it happened (UTC).' })
  at!: Date;

  @Field(() => PublicUser, { description: 'Null for the system (a sweep, a start-up) or a caller not signed in.', nullable: true })
  actor!: PublicUser | null;

  @Field(() => String, {
    description:
      'e.g. LOGIN_SUCCEEDED, LOGIN_FAILED, SESSION_REVOKED, PASSWORD_CHANGED, ROLE_CHANGED, TRANSFER_POSTED, CARD_PAYMENT, TOOL_CALLED, DATA_EXPORTED, DATA_IMPORTED, ACCOUNT_DELETED.',
  })
  action!: string;

  @Field(() => String, { description: "What it was done to, e.g. 'transfer:<id>'.", nullable: true })
  target!: string | null;

  @Field(() => String, { description: 'SUCCEEDED, or why not: an error code, DECLINED, REUSED.' })
  outcome!: string;

  @Field(() => String, { description: 'Client address, when known.', nullable: true })
  ip!: string | null;

  @Field(() => String, { description: 'User-Agent, when sent.', nullable: true })
  userAgent!: string | null;
}

export const AuditEventConnection = ConnectionType('AuditEvent', AuditEventView);

@ObjectType({ description: 'What verifyAuditChain found.' })
export class AuditChainCheck {
  @Field(() => Int, { description: 'Rows checked.' })
  checked!: number;

  @Field(() => Boolean, { description: 'True when every row follows the one before it in its chain.' })
  intact!: boolean;

  @Field(() => ID, { description: 'The first row whose hash does not follow, when broken.', nullable: true })
  firstBrokenId!: string | null;
}

@ArgsType()
export class AuditLogArgs {
  @Field(() => ID, { description: "OPERATOR only: whose trail (default: the caller's). A customer passing another user's id gets NOT_FOUND.", nullable: true })
  userId?: string | null;

  @Field(() => String, { description: 'Only this action, e.g. LOGIN_FAILED.', nullable: true })
  action?: string | null;

  @Field(() => Int, { description: 'Page size, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true, defaultValue: 20 })
  first?: number | null;

  @Field(() => String, { description: "Opaque cursor from a previous page's pageInfo.endCursor.", nullable: true })
  after?: string | null;
}
