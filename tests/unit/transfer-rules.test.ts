import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { newAccountNumber } from '../../src/modules/accounts/account-number.rules.js';
import { AccountStatus } from '../../src/modules/accounts/account.entity.js';
import { credit, debit, type AccountRow } from '../../src/modules/accounts/account.rules.js';
import type { AuthInfo } from '../../src/modules/auth/auth.types.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { EntryDirection } from '../../src/modules/transfers/ledger-entry.entity.js';
import { claimSlot, judgeBatch, type JudgePosting } from '../../src/modules/transfers/transfer-batch.rules.js';
import { TransferOrigin, TransferStatus } from '../../src/modules/transfers/transfer.entity.js';
import {
  canSee,
  checkRequest,
  depositTarget,
  keyVerdict,
  lookupOf,
  newTransfer,
  pairOf,
  pendingVerdict,
  postTransfer,
  requestHash,
  type Checked,
} from '../../src/modules/transfers/transfer.rules.js';
import type { TransferRow } from '../../src/modules/transfers/transfer.types.js';
import { INT64_MAX, INT64_MIN } from '../../src/shared/int64.js';

const alice: AuthInfo = { userId: uuidv7(), sessionId: uuidv7(), role: Role.CUSTOMER };
const bob = uuidv7();
const now = new Date('2026-03-01T12:00:00.000Z');

function account(fields: Partial<AccountRow> = {}): AccountRow {
  return {
    id: uuidv7(),
    ownerId: alice.userId,
    number: newAccountNumber(),
    currency: 'USD',
    balance: 1_000n,
    entrySeq: 3,
    status: AccountStatus.OPEN,
    system: false,
    ...fields,
  };
}

const byId = (...rows: AccountRow[]) => new Map(rows.map((r) => [r.id, r]));
const request = (from: AccountRow, to: AccountRow, amount = 100n): Checked => ({
  fromAccountId: from.id,
  toAccountId: to.id,
  toAccountNumber: null,
  amount,
  currency: 'USD',
  description: 'rent',
  idempotencyKey: 'k1',
});
const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('checkRequest', () => {
  const from = uuidv7();
  it('normalises a valid request', () => {
    const to = uuidv7().toUpperCase();
    expect(checkRequest({ fromAccountId: from, toAccountId: to, amountMinor: 5n, currency: ' usd ', description: '  ' })).toEqual({
      fromAccountId: from,
      toAccountId: to.toLowerCase(),
      toAccountNumber: null,
      amount: 5n,
      currency: 'USD',
      description: null,
      idempotencyKey: null,
    });
  });

  it('wants exactly one destination, a known id shape and a sane key, before any database work', () => {
    expect(codeOf(() => checkRequest({ fromAccountId: from, amountMinor: 5n, currency: 'USD' }))).toBe('BAD_USER_INPUT');
    expect(
      codeOf(() => checkRequest({ fromAccountId: from, toAccountId: uuidv7(), toAccountNumber: newAccountNumber(), amountMinor: 5n, currency: 'USD' })),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(() => checkRequest({ fromAccountId: 'nope', toAccountId: uuidv7(), amountMinor: 5n, currency: 'USD' }))).toBe('NOT_FOUND');
    expect(codeOf(() => checkRequest({ fromAccountId: from, toAccountId: uuidv7(), amountMinor: 0n, currency: 'USD' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => checkRequest({ fromAccountId: from, toAccountId: uuidv7(), amountMinor: 5n, currency: 'USD', idempotencyKey: '' }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('reads the destination by id, or the source by id and the destination by number', () => {
    const to = account();
    expect(lookupOf(request(account({ id: from }), to))).toEqual({ ids: [from, to.id], number: null });
    expect(lookupOf({ ...request(account({ id: from }), to), toAccountId: null, toAccountNumber: to.number })).toEqual({ ids: [from], number: to.number });
  });
});

describe('pairOf', () => {
  it('takes the caller’s source and their own destination by id', () => {
    const from = account();
    const to = account();
    expect(pairOf(alice, request(from, to), byId(from, to))).toEqual({ from, to });
  });

  it('takes anyone’s destination by number, never by id', () => {
    const from = account();
    const theirs = account({ ownerId: bob });
    expect(pairOf(alice, { ...request(from, theirs), toAccountId: null, toAccountNumber: theirs.number }, byId(from, theirs)).to).toBe(theirs);
    expect(codeOf(() => pairOf(alice, request(from, theirs), byId(from, theirs)))).toBe('NOT_FOUND');
  });

  it('judges in order: source, destination, same account, open, currency', () => {
    const from = account();
    const to = account();
    expect(codeOf(() => pairOf(alice, request(from, to), byId(to)))).toBe('NOT_FOUND');
    expect(codeOf(() => pairOf(alice, request(account({ ownerId: bob, id: from.id }), to), byId(account({ ownerId: bob, id: from.id }), to)))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(() => pairOf(alice, request(from, from), byId(from)))).toBe('SAME_ACCOUNT');
    const closed = account({ status: AccountStatus.CLOSED, currency: 'EUR' });
    expect(codeOf(() => pairOf(alice, request(from, closed), byId(from, closed)))).toBe('ACCOUNT_CLOSED');
    const euros = account({ currency: 'EUR' });
    expect(codeOf(() => pairOf(alice, request(from, euros), byId(from, euros)))).toBe('CURRENCY_MISMATCH');
  });

  it('never pays from or to a system account', () => {
    const system = account({ ownerId: null, system: true });
    const mine = account();
    expect(codeOf(() => pairOf(alice, request(system, mine), byId(system, mine)))).toBe('NOT_FOUND');
    expect(codeOf(() => pairOf(alice, request(mine, system), byId(mine, system)))).toBe('NOT_FOUND');
  });
});

describe('postTransfer', () => {
  it('builds the posted transfer, both entries and both new balances', () => {
    const from = account({ balance: 500n, entrySeq: 7 });
    const to = account({ ownerId: bob, balance: 0n, entrySeq: 0 });
    const transfer = newTransfer(alice, TransferOrigin.USER, from, to, request(from, to, 200n), now);
    const posting = postTransfer(transfer, from, to, now);
    expect(posting.transfer).toMatchObject({ id: transfer.id, status: TransferStatus.POSTED, postedAt: now, fromUserId: alice.userId, toUserId: bob });
    expect(posting.accounts.map((a) => [a.balance, a.entrySeq])).toEqual([
      [300n, 8],
      [200n, 1],
    ]);
    expect(posting.entries.map((e) => [e.direction, e.accountId, e.userId, e.seq, e.amount, e.balanceAfter])).toEqual([
      [EntryDirection.DEBIT, from.id, alice.userId, 8, 200n, 300n],
      [EntryDirection.CREDIT, to.id, bob, 1, 200n, 200n],
    ]);
    expect(from.balance).toBe(500n);
  });

  it('checks funds before the destination’s int64 edge', () => {
    const poor = account({ balance: 10n });
    const full = account({ balance: INT64_MAX });
    const transfer = (from: AccountRow, to: AccountRow) => newTransfer(alice, TransferOrigin.USER, from, to, request(from, to, 100n), now);
    expect(codeOf(() => postTransfer(transfer(poor, full), poor, full, now))).toBe('INSUFFICIENT_FUNDS');
    const rich = account({ balance: 1_000n });
    expect(codeOf(() => postTransfer(transfer(rich, full), rich, full, now))).toBe('BALANCE_LIMIT');
  });

  it('lets a system account go below zero, but not past int64: underflow is judged before overflow', () => {
    const system = account({ ownerId: null, system: true, balance: -5n });
    const to = account({ balance: 0n });
    expect(postTransfer(newTransfer(alice, TransferOrigin.OPERATOR, system, to, request(system, to, 100n), now), system, to, now).accounts[0]!.balance).toBe(
      -105n,
    );
    const edge = account({ ownerId: null, system: true, balance: INT64_MIN + 50n });
    expect(codeOf(() => debit(edge, 100n))).toBe('BALANCE_LIMIT');
    expect(codeOf(() => credit(account({ balance: INT64_MAX - 1n }), 2n))).toBe('BALANCE_LIMIT');
    const full = account({ balance: INT64_MAX });
    expect(codeOf(() => postTransfer(newTransfer(alice, TransferOrigin.OPERATOR, edge, full, request(edge, full), now), edge, full, now))).toBe(
      'BALANCE_LIMIT',
    );
  });

  it('keeps a deposit to an open customer account in its currency', () => {
    const to = account();
    expect(depositTarget(byId(to), to.id, 'USD')).toBe(to);
    expect(codeOf(() => depositTarget(byId(to), uuidv7(), 'USD'))).toBe('NOT_FOUND');
    expect(codeOf(() => depositTarget(byId(account({ id: to.id, system: true })), to.id, 'USD'))).toBe('NOT_FOUND');
    expect(codeOf(() => depositTarget(byId(account({ id: to.id, status: AccountStatus.CLOSED })), to.id, 'EUR'))).toBe('ACCOUNT_CLOSED');
    expect(codeOf(() => depositTarget(byId(to), to.id, 'EUR'))).toBe('CURRENCY_MISMATCH');
  });
});

describe('idempotency and pending verdicts', () => {
  const transfer = (fields: Partial<TransferRow> = {}): TransferRow => {
    const from = account();
    const to = account();
    return { ...newTransfer(alice, TransferOrigin.ASSISTANT, from, to, request(from, to), now), ...fields };
  };

  it('replays the first outcome of a key, and refuses the key for a different request', () => {
    const hash = requestHash({ kind: 'transfer', amount: 5n });
    expect(hash).toBe(requestHash({ kind: 'transfer', amount: 5n }));
    const made = transfer();
    expect(keyVerdict({ requestHash: hash, errorCode: null, errorMessage: null, transfer: made }, hash)).toEqual({ transfer: made });
    expect(keyVerdict({ requestHash: hash, errorCode: 'INSUFFICIENT_FUNDS', errorMessage: 'no', transfer: null }, hash)).toEqual({
      error: { code: 'INSUFFICIENT_FUNDS', message: 'no' },
    });
    expect(keyVerdict({ requestHash: hash, errorCode: null, errorMessage: null, transfer: made }, requestHash({ kind: 'transfer', amount: 6n }))).toMatchObject(
      {
        error: { code: 'IDEMPOTENCY_KEY_REUSED' },
      },
    );
    expect(() => keyVerdict(null, hash)).toThrow(/vanished/);
  });

  it('expires a pending transfer at its expiry, and refuses a cancelled or expired one', () => {
    expect(pendingVerdict(transfer({ expiresAt: new Date(now.getTime() + 1) }), now)).toBe('open');
    expect(pendingVerdict(transfer({ expiresAt: now }), now)).toBe('expire');
    expect(pendingVerdict(transfer({ status: TransferStatus.POSTED, expiresAt: now }), now)).toBe('open');
    expect(codeOf(() => pendingVerdict(transfer({ status: TransferStatus.CANCELLED }), now))).toBe('TRANSFER_NOT_PENDING');
    expect(codeOf(() => pendingVerdict(transfer({ status: TransferStatus.EXPIRED }), now))).toBe('TRANSFER_NOT_PENDING');
  });

  it('shows a transfer to its initiator and sender, and to its recipient once posted', () => {
    const t = transfer({ toUserId: bob });
    expect(canSee(alice.userId, t)).toBe(true);
    expect(canSee(bob, t)).toBe(false);
    expect(canSee(bob, { ...t, status: TransferStatus.POSTED })).toBe(true);
  });
});

/** A createTransfer's rules, as the service hands them to the batch. */
function judgeOf(from: AccountRow, to: AccountRow, amount: bigint): JudgePosting {
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
    const locked = byId(a, b);
    const { verdicts, touched } = judgeBatch([judgeOf(a, b, 60n), judgeOf(a, b, 60n), judgeOf(a, b, 40n), judgeOf(b, a, 200n)], locked, now);

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
    const closed = account({ balance: 0n, status: AccountStatus.CLOSED });
    const { verdicts, touched } = judgeBatch([judgeOf(a, closed, 1n), judgeOf(a, a, 1n)], byId(a, closed), now);
    expect(verdicts.map((v) => ('refusal' in v ? v.refusal.code : 'posted'))).toEqual(['ACCOUNT_CLOSED', 'SAME_ACCOUNT']);
    expect(touched).toEqual([]);
  });

  it('fails the whole batch on anything but a business rule', () => {
    const a = account({ balance: 10n });
    const b = account({ balance: 0n });
    const broken: JudgePosting = () => {
      throw new TypeError('bug');
    };
    expect(() => judgeBatch([judgeOf(a, b, 1n), broken], byId(a, b), now)).toThrow(TypeError);
  });

  it('deduplicates by user and key, never across users, and never without a key', () => {
    const other = uuidv7();
    expect(claimSlot(alice.userId, 'k')).toBe(claimSlot(alice.userId, 'k'));
    expect(claimSlot(alice.userId, 'k')).not.toBe(claimSlot(other, 'k'));
    expect(claimSlot(alice.userId, null)).toBeNull();
  });
});
