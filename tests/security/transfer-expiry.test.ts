import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthInfo } from '../../src/modules/auth/auth.types.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { createServices } from '../../src/services.js';
import { ConfirmTransferDocument } from '../generated/graphql.js';
import { deposit, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser } from '../factories/users.js';
import { TestClock } from '../helpers/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

// Frozen until the test moves it, so confirming within the 1 s TTL does not race the wall clock.
const clock = new TestClock();
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV, TRANSFER_PENDING_TTL_SECONDS: '1' }, clock });
});
afterAll(() => server?.stop());

/** The stored status, not the one reads derive from expiresAt. */
const storedStatus = async (id: string) =>
  (await server.app.orm.em.fork().execute<Array<{ status: string }>>(`select "status" from "transfer" where "id" = ?`, [id]))[0]!.status;

describe('pending transfers expire in the running gateway', () => {
  it('records a proposal past its expiry as EXPIRED without anyone calling expireDue, and leaves a confirmed one POSTED', async () => {
    const op = await loginOperator(server);
    const user = await registerUser(server);
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    await deposit(server, op, from.id, 1_000);
    const auth: AuthInfo = { userId: user.user.id, sessionId: user.session.id, role: Role.CUSTOMER };
    const propose = () =>
      createServices(server.app.deps, server.app.orm.em.fork()).transfers.propose(auth, {
        fromAccountId: from.id,
        toAccountId: to.id,
        amountMinor: 100n,
        currency: 'USD',
      });
    const [left, confirmed] = [await propose(), await propose()];
    await server.ok(ConfirmTransferDocument, { id: confirmed.id }, { token: user.token });
    expect(await storedStatus(left.id)).toBe('PENDING_CONFIRMATION');
    clock.advance(1_001);

    await until(async () => (await storedStatus(left.id)) === 'EXPIRED', { timeoutMs: 8_000, what: 'the proposal to be stored EXPIRED' });
    expect(await storedStatus(confirmed.id)).toBe('POSTED');
  });
});
