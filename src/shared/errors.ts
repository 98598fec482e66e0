/** Codes a client can act on; the contract lists them. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'BAD_REQUEST'
  | 'RATE_LIMITED'
  | 'USERNAME_TAKEN'
  | 'EMAIL_TAKEN'
  | 'INSUFFICIENT_FUNDS'
  | 'CURRENCY_MISMATCH'
  | 'SAME_ACCOUNT'
  | 'ACCOUNT_CLOSED'
  | 'ACCOUNT_NOT_EMPTY'
  | 'BALANCE_LIMIT'
  | 'TRANSFER_NOT_PENDING'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'RUN_IN_PROGRESS'
  | 'NOT_BRANCHABLE'
  | 'DRAFT_EMPTY'
  | 'CARD_NOT_ACTIVE'
  | 'BUDGET_OVER_ALLOCATED'
  | 'JAR_NAME_TAKEN'
  | 'CATEGORY_TAKEN'
  | 'UNAVAILABLE'
  | 'FEATURE_DISABLED'
  | 'LINK_SESSION_EXPIRED'
  | 'LINK_LOGIN_REQUIRED'
  | 'AGGREGATOR_UNAVAILABLE'
  | 'NOT_A_MEMBER'
  | 'ALREADY_MEMBER'
  | 'SPLIT_MISMATCH'
  | 'BALANCE_NOT_ZERO'
  | 'SETTLEMENT_ACCOUNT_MISSING'
  | 'PROPOSAL_EXPIRED'
  | 'CONFLICT'
  | 'INTERNAL_SERVER_ERROR';

export interface FieldProblem {
  field: string;
  message: string;
}

/** An expected failure: its message and extensions reach the client as they are. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function badUserInput(fields: FieldProblem[], message?: string): DomainError {
  const summary = message ?? fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new DomainError('BAD_USER_INPUT', summary, { fields });
}

/** The same error for a missing id and for another user's id. */
export function notFound(what: string): DomainError {
  return new DomainError('NOT_FOUND', `${what} not found`);
}
