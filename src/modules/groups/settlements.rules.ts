import { SettlementStatus } from './settlement.entity.js';

/**
 * A proposed settlement follows its transfer: cancelled, expired or past its expiry, it is
 * CANCELLED (balances never moved); the posting itself marks it SETTLED in its transaction.
 */
export function settlementStatus(stored: SettlementStatus, transferStatus: string | null, expiresAt: Date | null, now: Date): SettlementStatus {
  if (stored !== SettlementStatus.PROPOSED || transferStatus === null) return stored;
  if (transferStatus === 'CANCELLED' || transferStatus === 'EXPIRED') return SettlementStatus.CANCELLED;
  if (transferStatus === 'PENDING_CONFIRMATION' && expiresAt !== null && expiresAt <= now) return SettlementStatus.CANCELLED;
  return stored;
}
