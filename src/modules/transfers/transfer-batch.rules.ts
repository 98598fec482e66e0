import { DomainError } from '../../shared/errors.js';
import type { AccountRow } from '../accounts/account.rules.js';
import type { Posting, Refusal } from './transfer.rules.js';

/*
 * Group commit's rules, pure: the transfers of one batch judged in arrival order against
 * running balances, each all-or-nothing on its own (TigerBeetle's batch semantics).
 */

/** One transfer's rules on the rows read under lock: its posting, or a DomainError. */
export type JudgePosting = (accounts: Map<string, AccountRow>, now: Date) => Posting;

export type BatchVerdict = { posting: Posting } | { refusal: Refusal };

export interface JudgedBatch {
  verdicts: BatchVerdict[];
  /** Every account a posting changed, with its final balance and entry seq. */
  touched: AccountRow[];
}

/**
 * Judges each transfer on the balances the earlier ones in the batch left; a refused one
 * changes nothing. Anything but a DomainError is a bug and fails the whole batch.
 */
export function judgeBatch(judges: JudgePosting[], locked: Map<string, AccountRow>, now: Date): JudgedBatch {
  const running = new Map(locked);
  const touched = new Map<string, AccountRow>();
  const verdicts = judges.map((judge): BatchVerdict => {
    try {
      const posting = judge(running, now);
      for (const account of posting.accounts) {
        running.set(account.id, account);
        touched.set(account.id, account);
      }
      return { posting };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { refusal: { code: error.code, message: error.message } };
    }
  });
  return { verdicts, touched: [...touched.values()] };
}

/** The key a batch deduplicates requests by: the same user and idempotency key claim once. */
export function claimSlot(userId: string, key: string | null): string | null {
  return key === null ? null : `${userId}\u0000${key}`;
}
