import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { CoreDeps } from '../../deps.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { checkName } from '../../shared/input-rules.js';
import { parseCurrency } from '../../shared/money.js';
import { inTransaction } from '../../shared/transactions.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { cardSettlementAccountNumber, newAccountNumber, systemAccountNumber } from './account-number.rules.js';
import { Account, AccountStatus } from './account.entity.js';
import type { OpenAccountInput } from './account.inputs.js';
import { ormSql } from '../../db/orm-sql.js';
import { accountView, selectOwnAccounts } from './account.sql.js';
import type { AccountView } from './account.types.js';

const NUMBER_ATTEMPTS = 5;

/** Runs inside closeAccount's transaction, after the account row is locked (the cards module cancels its cards). */
export type OnAccountClose = (em: EntityManager, accountId: string, at: Date) => Promise<void>;

export class AccountService {
  /** Per operation (services are built per operation), so it never serves stale rows across requests. */
  private readonly byId = new DataLoader<string, Account | null>(async (ids) => {
    const rows = await this.em.find(Account, { id: { $in: [...ids] } });
    const map = new Map(rows.map((a) => [a.id, a]));
    return ids.map((id) => map.get(id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'plainSql'>,
    private readonly onClose: OnAccountClose = async () => {},
  ) {}

  async open(auth: AuthInfo, input: OpenAccountInput): Promise<Account> {
    const name = accountName(input.name);
    const currency = parseCurrency(input.currency);
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.em, async (em) => {
          const account = new Account(em.getReference(User, auth.userId, { wrapped: true }), newAccountNumber(), name, currency);
          account.createdAt = account.updatedAt = this.deps.clock.now();
          em.persist(account);
          return account;
        });
      } catch (error) {
        // 10^10 numbers: a clash is rare, and a fresh draw resolves it.
        if (!(error instanceof UniqueConstraintViolationException) || attempt >= NUMBER_ATTEMPTS) throw error;
      }
    }
  }

  /** A hot read (every `accounts`): one statement, plain rows; nothing here is changed, so nothing is managed. */
  async list(auth: AuthInfo): Promise<AccountView[]> {
    // Past the ORM (see plainSql): around this one select, its execute path was ~10 % of a query's CPU.
    const { sql, params } = selectOwnAccounts(auth.userId);
    const rows = await this.deps.plainSql.execute(sql, params);
    return rows.map(accountView);
  }

  /** The caller's account; another user's id is NOT_FOUND exactly like a missing one. */
  async get(auth: AuthInfo, id: string): Promise<Account> {
    const account = isUuid(id) ? await this.byId.load(id) : null;
    if (!account || account.system || account.ownerId !== auth.userId) throw notFound('Account');
    return account;
  }

  /** For Transfer.fromAccount / toAccount: only the viewer's own accounts are shown; batched. */
  async visible(auth: AuthInfo, id: string, ownerId: string | null): Promise<Account | null> {
    if (ownerId === null || ownerId !== auth.userId) return null;
    return this.byId.load(id);
  }

  async rename(auth: AuthInfo, id: string, newName: string): Promise<Account> {
    const name = accountName(newName);
    const account = await this.get(auth, id);
    account.name = name;
    await this.em.flush();
    return account;
  }

  /** Locks the row so a credit cannot land between the zero check and the close. */
  async close(auth: AuthInfo, id: string): Promise<Account> {
    if (!isUuid(id)) throw notFound('Account');
    const account = await inTransaction(this.em, async (em) => {
      const locked = await em.findOne(Account, { id, user: auth.userId, system: false }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!locked) throw notFound('Account');
      if (locked.balance !== 0n) {
        throw new DomainError('ACCOUNT_NOT_EMPTY', 'Only an account with a zero balance can be closed: move the money out first');
      }
      locked.status = AccountStatus.CLOSED;
      await this.onClose(em, locked.id, this.deps.clock.now());
      return locked;
    });
    this.byId.clear(id);
    return account;
  }

  /** The user's customer accounts, oldest first, on `em` (an import's transaction relinks cards and goals to them). */
  customerAccounts(em: EntityManager, userId: string): Promise<Account[]> {
    return em.find(Account, { user: userId, system: false }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  // ---- for the transfer service's money transaction (em is that transaction's) ----

  /** The currency's system account, created on first use; returns its id. */
  systemAccountId(em: EntityManager, currency: string): Promise<string> {
    return this.ensureSystemAccount(em, systemAccountNumber(currency), `System ${currency}`, currency);
  }

  /** The currency's card-settlement account (approved card payments go to it), created on first use like the deposit one. */
  cardSettlementAccountId(em: EntityManager, currency: string): Promise<string> {
    return this.ensureSystemAccount(em, cardSettlementAccountNumber(currency), `Card settlement ${currency}`, currency);
  }

  private async ensureSystemAccount(em: EntityManager, number: string, name: string, currency: string): Promise<string> {
    const existing = await em.findOne(Account, { number }, { fields: ['id'] });
    if (existing) return existing.id;
    const account = new Account(null, number, name, currency);
    account.system = true;
    await ormSql(
      em,
      `insert into "account" ("id", "created_at", "updated_at", "user_id", "number", "name", "currency", "balance", "status", "entry_seq", "system")
       values (?, ?, ?, null, ?, ?, ?, 0, 'OPEN', 0, true) on conflict ("number") do nothing`,
      [account.id, account.createdAt, account.updatedAt, number, account.name, currency],
    );
    const row = await em.findOneOrFail(Account, { number }, { fields: ['id'] });
    return row.id;
  }
}

function accountName(value: string): string {
  checkName(value, 'name');
  const name = value.trim();
  if (name.length < 1 || name.length > 100) throw badUserInput([{ field: 'name', message: 'must be 1 to 100 characters' }]);
  return name;
}
