import { Account } from '../modules/accounts/account.entity.js';
import { AuthSession } from '../modules/auth/auth-session.entity.js';
import { RefreshToken } from '../modules/auth/refresh-token.entity.js';
import { User } from '../modules/auth/user.entity.js';
import { IdempotencyKey } from '../modules/transfers/idempotency-key.entity.js';
import { LedgerEntry } from '../modules/transfers/ledger-entry.entity.js';
import { Transfer } from '../modules/transfers/transfer.entity.js';

/** Every entity, listed once: discovery by folder scan differs between tsc output and tsx. */
export const ENTITIES = [User, AuthSession, RefreshToken, Account, Transfer, LedgerEntry, IdempotencyKey];
