import { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Account } from '../../src/modules/accounts/account.entity.js';
import { createContext, type OperationContext } from '../../src/server/context.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({ maintenance: false });
  user = await registerUser(server);
});
afterAll(() => server?.stop());
afterEach(() => vi.restoreAllMocks());

const operation = async (): Promise<OperationContext> =>
  (await createContext(server.app.deps, server.app.orm, {
    requestId: 'req-context-test',
    authorization: `Bearer ${user.token}`,
    client: { ipAddress: '127.0.0.1', userAgent: null },
  })) as OperationContext;

describe("an operation's EntityManager", () => {
  it('is not forked for an operation that reads only through plain SQL (the session check, me, accounts)', async () => {
    const fork = vi.spyOn(server.app.orm.em, 'fork');
    const ctx = await operation();
    expect(ctx.auth?.userId).toBe(user.user.id);
    expect((await ctx.services.auth.me(ctx.auth!)).id).toBe(user.user.id);
    expect(await ctx.services.accounts.list(ctx.auth!)).toEqual([]);
    expect(fork).not.toHaveBeenCalled();
  });

  it('is forked once, on first use, and the services and ctx.em share that one fork', async () => {
    const fork = vi.spyOn(server.app.orm.em, 'fork');
    const ctx = await operation();
    const opened = await ctx.services.accounts.open(ctx.auth!, { name: 'Lazy', currency: 'EUR' });
    expect(fork).toHaveBeenCalledTimes(1);
    // The account the service wrote is managed by the very EntityManager resolvers see as ctx.em.
    expect(ctx.em.getUnitOfWork().getById(Account.name, opened.id)).toBe(opened);
    expect(ctx.services.accounts).toBe(ctx.services.accounts);
    expect(fork).toHaveBeenCalledTimes(1);
    expect(ctx.em).toBeInstanceOf(EntityManager);
  });
});
