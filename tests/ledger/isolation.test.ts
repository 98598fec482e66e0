import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/modules/auth/user.entity.js';
import { createServices } from '../../src/services.js';
import {
  AccountActivityDocument,
  AccountDocument,
  AccountEntriesDocument,
  CancelTransferDocument,
  CloseAccountDocument,
  ConfirmTransferDocument,
  CreateTransferDocument,
  RecordDepositDocument,
  RenameAccountDocument,
  StatementDocument,
  TransferDocument,
  TransfersDocument,
  type AccountFieldsFragment,
} from '../generated/graphql.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { ledgerSnapshot } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { codeOf } from '../helpers/errors.js';

let server: TestServer;
let op: string;
let me: TestUser;
let victim: TestUser;
let mine: AccountFieldsFragment;
let theirs: AccountFieldsFragment;
let theirsEmpty: AccountFieldsFragment;
let theirTransferId: string;
let theirPendingId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV } });
  op = await loginOperator(server);
  me = await registerUser(server);
  victim = await registerUser(server);
  mine = await openAccount(server, me.token);
  theirs = await openAccount(server, victim.token);
  theirsEmpty = await openAccount(server, victim.token);
  await deposit(server, op, mine.id, 10_000);
  await deposit(server, op, theirs.id, 10_000);
  const t = await server.ok(
    CreateTransferDocument,
    {
      input: { fromAccountId: theirs.id, toAccountId: theirsEmpty.id, amountMinor: '1', currency: 'USD', idempotencyKey: key() },
    },
    { token: victim.token },
  );
  theirTransferId = t.createTransfer.id;
  await server.ok(
    CreateTransferDocument,
    {
      input: { fromAccountId: theirsEmpty.id, toAccountId: theirs.id, amountMinor: '1', currency: 'USD', idempotencyKey: key() },
    },
    { token: victim.token },
  );
  const services = createServices(server.app.deps, server.app.orm.em.fork());
  const pending = await services.transfers.propose(
    { userId: victim.user.id, sessionId: 'test', role: Role.CUSTOMER },
    { fromAccountId: theirs.id, toAccountId: theirsEmpty.id, amountMinor: 5n, currency: 'USD' },
  );
  theirPendingId = pending.id;
});
afterAll(() => server?.stop());

describe("another user's ids", () => {
  it('are NOT_FOUND for every query and mutation that takes an id, exactly like missing ids, and change nothing', async () => {
    const before = await ledgerSnapshot(server.app);
    const token = { token: me.token };
    const missing = '01a20000-0000-7000-8000-000000000000';
    const attempts: Array<[string, () => Promise<{ errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }>]> = [];
    for (const [label, id] of [
      ['foreign', theirs.id],
      ['missing', missing],
      ['malformed', 'not-a-uuid'],
    ] as const) {
      attempts.push(
        [`account ${label}`, () => server.gql(AccountDocument, { id }, token)],
        [`account.entries ${label}`, () => server.gql(AccountEntriesDocument, { id }, token)],
        [`account.statement ${label}`, () => server.gql(StatementDocument, { id, month: '2026-01' }, token)],
        [`renameAccount ${label}`, () => server.gql(RenameAccountDocument, { id, name: 'mine now' }, token)],
        [`transfers(accountId) ${label}`, () => server.gql(TransfersDocument, { accountId: id }, token)],
        [
          `createTransfer from ${label}`,
          () =>
            server.gql(
              CreateTransferDocument,
              {
                input: { fromAccountId: id, toAccountId: mine.id, amountMinor: '100', currency: 'USD', idempotencyKey: key() },
              },
              token,
            ),
        ],
        [
          `createTransfer to ${label} by id`,
          () =>
            server.gql(
              CreateTransferDocument,
              {
                input: { fromAccountId: mine.id, toAccountId: id, amountMinor: '100', currency: 'USD', idempotencyKey: key() },
              },
              token,
            ),
        ],
      );
    }
    for (const [label, id] of [
      ['foreign', theirsEmpty.id],
      ['missing', missing],
    ] as const) {
      attempts.push([`closeAccount ${label}`, () => server.gql(CloseAccountDocument, { id }, token)]);
    }
    for (const [label, id] of [
      ['foreign posted', theirTransferId],
      ['foreign pending', theirPendingId],
      ['missing', missing],
      ['malformed', 'x'],
    ] as const) {
      attempts.push(
        [`transfer ${label}`, () => server.gql(TransferDocument, { id }, token)],
        [`confirmTransfer ${label}`, () => server.gql(ConfirmTransferDocument, { id }, token)],
        [`cancelTransfer ${label}`, () => server.gql(CancelTransferDocument, { id }, token)],
      );
    }
    attempts.push(
      [
        `createTransfer from their account number`,
        () =>
          server.gql(
            CreateTransferDocument,
            {
              input: { fromAccountId: theirs.number, toAccountId: mine.id, amountMinor: '100', currency: 'USD', idempotencyKey: key() },
            },
            token,
          ),
      ],
      [
        'recordDeposit to a missing account',
        () =>
          server.gql(
            RecordDepositDocument,
            {
              input: { accountId: missing, amountMinor: '100', currency: 'USD', idempotencyKey: key() },
            },
            { token: op },
          ),
      ],
    );
    for (const [label, attempt] of attempts) {
      const res = await attempt();
      expect(codeOf(res), label).toBe('NOT_FOUND');
    }
    const sub = collect(server.ws(me.token), AccountActivityDocument, { accountId: theirs.id });
    await sub.ended;
    expect(sub.errors[0]?.extensions?.code).toBe('NOT_FOUND');

    expect(await ledgerSnapshot(server.app)).toEqual(before);
    const victimView = await server.ok(TransferDocument, { id: theirPendingId }, { token: victim.token });
    expect(victimView.transfer.status).toBe('PENDING_CONFIRMATION');
  });

  it('shows a transfer to both sides, each seeing only their own account and only the sender seeing the key', async () => {
    const sent = await server.ok(
      CreateTransferDocument,
      {
        input: { fromAccountId: mine.id, toAccountNumber: theirs.number, amountMinor: '250', currency: 'USD', idempotencyKey: 'my-key-1' },
      },
      { token: me.token },
    );
    const id = sent.createTransfer.id;
    const senderView = (await server.ok(TransferDocument, { id }, { token: me.token })).transfer;
    const recipientView = (await server.ok(TransferDocument, { id }, { token: victim.token })).transfer;
    expect(senderView).toMatchObject({ fromAccount: { id: mine.id }, toAccount: null, idempotencyKey: 'my-key-1', toAccountNumber: theirs.number });
    expect(recipientView).toMatchObject({ fromAccount: null, toAccount: { id: theirs.id }, idempotencyKey: null, fromAccountNumber: mine.number });
  });
});
