import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { newAccountNumber } from '../../src/modules/accounts/account-number.rules.js';
import { AccountStatus } from '../../src/modules/accounts/account.entity.js';
import type { AccountRow } from '../../src/modules/accounts/account.rules.js';
import type { AuthInfo } from '../../src/modules/auth/auth.types.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { claimSlot, judgeBatch, type JudgePosting } from '../../src/modules/transfers/transfer-batch.rules.js';
import { TransferOrigin } from '../../src/modules/transfers/transfer.entity.js';
import { newTransfer, pairOf, postTransfer, type Checked } from '../../src/modules/transfers/transfer.rules.js';

const alice: AuthInfo = { userId: uuidv7(), sessionId: uuidv7(), role: Role.CUSTOMER };
const now = new Date('2026-03-01T12:00:00.000Z');

function account(fields: Partial<AccountRow> = {}): AccountRow {
  return {
    id: uuidv7(),
    ownerId: alice.userId,
    number: newAccountNumber(),
    currency: 'USD',
    balance: 0n,
    entrySeq: 0,
    status: AccountStatus.OPEN,
    system: false,
    ...fields,
  };
}

/** A createTransfer's rules, as the service hands them to the batch. */
function judge(from: AccountRow, to: AccountRow, amount: bigint): JudgePosting {
  const req: Checked = { fromAccountId: from.id, toAccountId: to.id, toAccountNumber: null, amount, currency: 'USD', description: null, idempotencyKey: null };
  return (accounts, at) => {
    const pair = pairOf(alice, req, accounts);
    return postTransfer(newTransfer(alice, TransferOrigin.USER, pair.from, pair.to, req, at), pair.from, pair.to, at);
  };
}

describe('judgeBatch: a batch judged in arrival order on running balances', () => {
  it('refuses the transfer that would overdraw after the earlier ones, and still posts the later ones', () => {
    const a = account({ balance: 100n, entrySeq: 2 });
    const b = account({ balance: 5n, entrySeq: 1 });
    const locked = new Map([a, b].map((x) => [x.id, x]));
    const { verdicts, touched } = judgeBatch([judge(a, b, 60n), judge(a, b, 60n), judge(a, b, 40n), judge(b, a, 200n)], locked, now);

    expect(verdicts.map((v) => ('posting' in v ? 'posted' : v.refusal.code))).toEqual(['posted', 'INSUFFICIENT_FUNDS', 'posted', 'INSUFFICIENT_FUNDS']);
    const posted = verdicts.flatMap((v) => ('posting' in v ? [v.posting] : []));
    // Entries carry the running balance and a gapless seq per account.
    expect(posted.flatMap((p) => p.entries.map((e) => [e.accountId === a.id ? 'a' : 'b', e.seq, e.balanceAfter]))).toEqual([
      ['a', 3, 40n],
      ['b', 2, 65n],
      ['a', 4, 0n],
      ['b', 3, 105n],
    ]);
    expect(Object.fromEntries(touched.map((t) => [t.id === a.id ? 'a' : 'b', [t.balance, t.entrySeq]]))).toEqual({ a: [0n, 4], b: [105n, 3] });
    // The rows read under lock are not changed in place: a retried batch starts from them again.
    expect(locked.get(a.id)!.balance).toBe(100n);
  });

  it('touches nothing when every transfer is refused', () => {
    const a = account({ balance: 1n });
    const closed = account({ status: AccountStatus.CLOSED });
    const { verdicts, touched } = judgeBatch([judge(a, closed, 1n), judge(a, a, 1n)], new Map([a, closed].map((x) => [x.id, x])), now);
    expect(verdicts.map((v) => ('refusal' in v ? v.refusal.code : 'posted'))).toEqual(['ACCOUNT_CLOSED', 'SAME_ACCOUNT']);
    expect(touched).toEqual([]);
  });

  it('fails the whole batch on anything but a business rule', () => {
    const a = account({ balance: 10n });
    const b = account();
    const broken: JudgePosting = () => {
      throw new TypeError('bug');
    };
    expect(() => judgeBatch([judge(a, b, 1n), broken], new Map([a, b].map((x) => [x.id, x])), now)).toThrow(TypeError);
  });

  it('deduplicates by user and key, never across users, and never without a key', () => {
    const other = uuidv7();
    expect(claimSlot(alice.userId, 'k')).toBe(claimSlot(alice.userId, 'k'));
    expect(claimSlot(alice.userId, 'k')).not.toBe(claimSlot(other, 'k'));
    expect(claimSlot(alice.userId, null)).toBeNull();
  });
});
