import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthInfo } from '../../src/modules/auth/auth.types.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { createServices } from '../../src/services.js';
import {
  CancelTransferDocument,
  CloseAccountDocument,
  ConfirmTransferDocument,
  CreateTransferDocument,
  TransferDocument,
  TransfersDocument,
  type AccountFieldsFragment,
} from '../generated/graphql.js';
import { balanceOf, deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { TestClock } from '../helpers/clock.js';
import { ledgerSnapshot, ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { codeOf } from '../helpers/errors.js';

const TTL_SECONDS = 60;
const clock = new TestClock();
let server: TestServer;
let op: string;
let user: TestUser;
let auth: AuthInfo;
let from: AccountFieldsFragment;
let to: AccountFieldsFragment;

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV, TRANSFER_PENDING_TTL_SECONDS: String(TTL_SECONDS) }, clock });
  op = await loginOperator(server);
  user = await registerUser(server);
  auth = { userId: user.user.id, sessionId: user.session.id, role: Role.CUSTOMER };
  from = await openAccount(server, user.token);
  to = await openAccount(server, user.token);
  await deposit(server, op, from.id, 10_000);
});
afterAll(() => server?.stop());

const services = () => createServices(server.app.deps, server.app.orm.em.fork());
const propose = (amount: bigint, toAccountId = to.id) =>
  services().transfers.propose(auth, { fromAccountId: from.id, toAccountId, amountMinor: amount, currency: 'USD', description: 'Proposed' });

describe('pending transfers', () => {
  it('hold no money until confirmed; confirming twice posts once and returns the posted transfer', async () => {
    const before = await ledgerSnapshot(server.app);
    const pending = await propose(1_500n);
    expect(pending).toMatchObject({ status: 'PENDING_CONFIRMATION', origin: 'ASSISTANT', postedAt: null });
    expect(pending.expiresAt!.getTime() - clock.now().getTime()).toBe(TTL_SECONDS * 1000);
    const listed = await server.ok(TransfersDocument, { status: 'PENDING_CONFIRMATION' }, { token: user.token });
    expect(listed.transfers.edges.map((e) => e.node.id)).toContain(pending.id);
    const held = await ledgerSnapshot(server.app);
    expect(held.entries).toBe(before.entries);
    expect(held.balances).toBe(before.balances);

    const [first, second] = await Promise.all([
      server.ok(ConfirmTransferDocument, { id: pending.id }, { token: user.token }),
      server.ok(ConfirmTransferDocument, { id: pending.id }, { token: user.token }),
    ]);
    expect(first.confirmTransfer).toMatchObject({ id: pending.id, status: 'POSTED' });
    expect(second.confirmTransfer).toMatchObject({ id: pending.id, status: 'POSTED' });
    expect(await balanceOf(server, user.token, from.id)).toBe('8500');
    expect(await balanceOf(server, user.token, to.id)).toBe('1500');
    expect(codeOf(await server.gql(CancelTransferDocument, { id: pending.id }, { token: user.token }))).toBe('TRANSFER_NOT_PENDING');
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('run every check again at confirmation and stay pending when one fails', async () => {
    const tooMuch = await propose(1_000_000n);
    expect(codeOf(await server.gql(ConfirmTransferDocument, { id: tooMuch.id }, { token: user.token }))).toBe('INSUFFICIENT_FUNDS');
    expect((await server.ok(TransferDocument, { id: tooMuch.id }, { token: user.token })).transfer.status).toBe('PENDING_CONFIRMATION');
    await deposit(server, op, from.id, 1_000_000);
    expect((await server.ok(ConfirmTransferDocument, { id: tooMuch.id }, { token: user.token })).confirmTransfer.status).toBe('POSTED');

    const doomed = await openAccount(server, user.token);
    const toClosed = await propose(10n, doomed.id);
    await server.ok(CloseAccountDocument, { id: doomed.id }, { token: user.token });
    expect(codeOf(await server.gql(ConfirmTransferDocument, { id: toClosed.id }, { token: user.token }))).toBe('ACCOUNT_CLOSED');
  });

  it('can be cancelled; a cancelled transfer cannot be confirmed', async () => {
    const pending = await propose(100n);
    const cancelled = await server.ok(CancelTransferDocument, { id: pending.id }, { token: user.token });
    expect(cancelled.cancelTransfer.status).toBe('CANCELLED');
    expect(codeOf(await server.gql(ConfirmTransferDocument, { id: pending.id }, { token: user.token }))).toBe('TRANSFER_NOT_PENDING');
    expect(codeOf(await server.gql(CancelTransferDocument, { id: pending.id }, { token: user.token }))).toBe('TRANSFER_NOT_PENDING');
  });

  it('expire after the configured time: shown EXPIRED, swept by expireDue, refused at confirmation', async () => {
    const swept = await propose(100n);
    const lazy = await propose(200n);
    const balance = await balanceOf(server, user.token, from.id);
    clock.advance(TTL_SECONDS * 1000 + 1);
    try {
      expect((await server.ok(TransferDocument, { id: lazy.id }, { token: user.token })).transfer.status).toBe('EXPIRED');
      const expiredList = await server.ok(TransfersDocument, { status: 'EXPIRED' }, { token: user.token });
      expect(expiredList.transfers.edges.map((e) => e.node.id)).toEqual(expect.arrayContaining([swept.id, lazy.id]));
      const pendingList = await server.ok(TransfersDocument, { status: 'PENDING_CONFIRMATION' }, { token: user.token });
      expect(pendingList.transfers.edges.map((e) => e.node.id)).not.toContain(lazy.id);

      // The running gateway's own sweep may have got there first: either way it is stored EXPIRED.
      await services().transfers.expireDue();
      const [stored] = await server.app.orm.em.fork().execute<Array<{ status: string }>>(`select "status" from "transfer" where "id" = ?`, [swept.id]);
      expect(stored!.status).toBe('EXPIRED');
      expect(codeOf(await server.gql(ConfirmTransferDocument, { id: swept.id }, { token: user.token }))).toBe('TRANSFER_NOT_PENDING');
      // Not swept yet: confirmation itself records the expiry.
      expect(codeOf(await server.gql(ConfirmTransferDocument, { id: lazy.id }, { token: user.token }))).toBe('TRANSFER_NOT_PENDING');
      expect(codeOf(await server.gql(CancelTransferDocument, { id: lazy.id }, { token: user.token }))).toBe('TRANSFER_NOT_PENDING');
      expect(await balanceOf(server, user.token, from.id)).toBe(balance);
    } finally {
      clock.reset();
    }
  });

  it('are found by the propose idempotency key like any transfer', async () => {
    const k = key();
    const input = { fromAccountId: from.id, toAccountId: to.id, amountMinor: 10n, currency: 'USD', idempotencyKey: k };
    const [a, b] = await Promise.all([services().transfers.propose(auth, input), services().transfers.propose(auth, input)]);
    expect(a.id).toBe(b.id);
    await expect(services().transfers.propose(auth, { ...input, amountMinor: 11n })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // createTransfer with the same key is a different request.
    const res = await server.gql(
      CreateTransferDocument,
      {
        input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '10', currency: 'USD', idempotencyKey: k },
      },
      { token: user.token },
    );
    expect(codeOf(res)).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
