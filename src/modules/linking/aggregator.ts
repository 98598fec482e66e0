/*
 * What the gateway needs from a bank-data aggregator (Plaid, GoCardless, SimpleFIN...): the
 * one interface the linking module owns. http-aggregator.ts speaks it to the sandbox over
 * HTTP; a real aggregator gets an adapter of its own behind the same methods.
 */

export interface AggregatorInstitution {
  id: string;
  name: string;
}

export interface AggregatorAccount {
  externalId: string;
  name: string;
  mask: string | null;
  /** depository/checking, depository/savings, credit/credit card, loan/... */
  type: string;
  subtype: string | null;
  currency: string;
  /** Minor units; null when the bank sends none. */
  balanceMinor: bigint | null;
}

export interface AggregatorTransaction {
  externalId: string;
  accountExternalId: string;
  /** Minor units, positive: money out. */
  amountMinor: bigint;
  currency: string;
  date: string;
  name: string;
  merchant: string | null;
  category: string | null;
  mcc: string | null;
  pending: boolean;
  /** A posted transaction's pending one, which it replaces. */
  pendingExternalId: string | null;
}

export interface SyncPage {
  added: AggregatorTransaction[];
  modified: AggregatorTransaction[];
  removed: string[];
  nextCursor: string;
  hasMore: boolean;
}

export interface LinkStart {
  linkUrl: string;
  expiresAt: Date;
}

export interface Aggregator {
  institutions(search: string | null): Promise<AggregatorInstitution[]>;
  /** A consent page for a new link, or (accessToken given) for signing in again to an existing one. */
  startLink(input: {
    userId: string;
    institutionId: string;
    redirectUri: string;
    linkSessionId: string;
    webhookUrl: string;
    accessToken?: string;
  }): Promise<LinkStart>;
  exchange(publicToken: string): Promise<{ accessToken: string; itemId: string }>;
  accounts(accessToken: string): Promise<AggregatorAccount[]>;
  sync(accessToken: string, cursor: string, count: number): Promise<SyncPage>;
  remove(accessToken: string): Promise<void>;
}

/** Why a call failed, as the linking module acts on it. */
export class AggregatorError extends Error {
  constructor(
    readonly kind: 'LOGIN_REQUIRED' | 'MUTATION_DURING_PAGINATION' | 'INVALID_TOKEN' | 'UNAVAILABLE' | 'REFUSED',
    message: string,
  ) {
    super(message);
  }
}
