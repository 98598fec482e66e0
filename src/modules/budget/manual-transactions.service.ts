import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { parseIsoDay } from '../../shared/calendar-input.js';
import { DomainError, badUserInput } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { parseCurrency, parsePositiveAmount } from '../../shared/money.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import type { BudgetService } from './budget.service.js';
import { Budget } from './budget.entity.js';
import { budgetFacts } from './budget.rules.js';
import { Jar } from './jar.entity.js';
import type { TransactionFeed } from '../transactions/feed.service.js';
import { ManualTransaction } from '../transactions/manual-transaction.entity.js';
import { manualDescription } from '../transactions/manual.rules.js';
import { TransactionDirection } from '../transactions/transaction.enums.js';
import type { ManualTransactionInput, UpdateManualTransactionInput } from '../transactions/transaction.inputs.js';
import type { TransactionView } from '../transactions/transaction.types.js';

/** Called after a manual spending committed, so a jar it pushed over its allocation is announced. */
export type AfterManualSpending = (tx: TransactionView, userId: string) => Promise<void>;

/** Manual transactions: cash and payments the gateway cannot see, in the budget currency, under the budget lock. */
export class ManualTransactionService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly budget: Pick<BudgetService, 'ownJar' | 'locked'>,
    private readonly feed: Pick<TransactionFeed, 'get' | 'forget'>,
    private readonly afterSpending: AfterManualSpending = async () => {},
  ) {}

  async record(auth: AuthInfo, input: ManualTransactionInput): Promise<TransactionView> {
    // Access first: another user's jar is NOT_FOUND whatever else is wrong.
    const jar = input.jarId ? await this.budget.ownJar(auth, input.jarId) : null;
    const amount = parsePositiveAmount(input.amountMinor);
    const currency = parseCurrency(input.currency);
    const description = manualDescription(input.description);
    const occurredOn = parseIsoDay(input.occurredOn, 'occurredOn');
    const id = await this.budget.locked(auth, async (em) => {
      if (jar && (await em.findOneOrFail(Jar, { id: jar.id }, { refresh: true })).archived) {
        throw badUserInput([{ field: 'jarId', message: 'the jar is archived: choose one of your unarchived jars' }]);
      }
      await this.checkCurrency(em, auth, currency);
      const now = this.deps.clock.now();
      const row = Object.assign(new ManualTransaction(), {
        user: em.getReference(User, auth.userId, { wrapped: true }),
        direction: input.direction ?? TransactionDirection.OUT,
        amount,
        currency,
        description,
        category: input.category,
        occurredOn,
        jar: jar ? em.getReference(Jar, jar.id, { wrapped: true }) : null,
        createdAt: now,
        updatedAt: now,
      });
      em.persist(row);
      await em.flush();
      return row.id;
    });
    const tx = await this.feed.get(auth, id);
    await this.afterSpending(tx, auth.userId);
    return tx;
  }

  async update(auth: AuthInfo, id: string, input: UpdateManualTransactionInput): Promise<TransactionView> {
    const own = await this.own(auth, id);
    const amount = input.amountMinor === null || input.amountMinor === undefined ? undefined : parsePositiveAmount(input.amountMinor);
    const description = input.description === null || input.description === undefined ? undefined : manualDescription(input.description);
    const occurredOn = input.occurredOn === null || input.occurredOn === undefined ? undefined : parseIsoDay(input.occurredOn, 'occurredOn');
    await this.budget.locked(auth, async (em) => {
      const row = await em.findOneOrFail(ManualTransaction, { id: own.id }, { refresh: true });
      if (amount !== undefined) row.amount = amount;
      if (description !== undefined) row.description = description;
      if (occurredOn !== undefined) row.occurredOn = occurredOn;
      if (input.category) row.category = input.category;
      row.updatedAt = this.deps.clock.now();
      await em.flush();
    });
    this.feed.forget();
    const tx = await this.feed.get(auth, own.id);
    await this.afterSpending(tx, auth.userId);
    return tx;
  }

  async delete(auth: AuthInfo, id: string): Promise<boolean> {
    const own = await this.own(auth, id);
    await this.em.nativeDelete(ManualTransaction, { id: own.id, user: auth.userId });
    this.feed.forget();
    return true;
  }

  /** The caller's manual transaction; another source's id is BAD_USER_INPUT (only manual ones change), a foreign one NOT_FOUND. */
  private async own(auth: AuthInfo, id: string): Promise<ManualTransaction> {
    const row = isUuid(id) ? await this.em.findOne(ManualTransaction, { id: id.toLowerCase(), user: auth.userId }) : null;
    if (row) return row;
    await this.feed.get(auth, id);
    throw badUserInput([{ field: 'id', message: 'only manual transactions can be changed or deleted' }]);
  }

  /** Read with the lock's own EntityManager: another connection would wait on the embedded PGlite, which runs one transaction at a time. */
  private async checkCurrency(em: EntityManager, auth: AuthInfo, currency: string): Promise<void> {
    const budgetCurrency = budgetFacts(await em.findOne(Budget, { user: auth.userId })).currency;
    if (currency !== budgetCurrency)
      throw new DomainError('CURRENCY_MISMATCH', `Your budget is in ${budgetCurrency}: give the transaction in ${budgetCurrency}`);
  }
}
