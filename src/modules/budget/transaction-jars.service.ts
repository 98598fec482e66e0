import { notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { timeIdCursor, pageSize, type Page } from '../../shared/pagination.js';
import type { AuthInfo } from '../auth/auth.types.js';
import type { TransactionEditService } from '../transactions/edits.service.js';
import type { TransactionFeed } from '../transactions/feed.service.js';
import { TransactionDirection, TransactionSource } from '../transactions/transaction.enums.js';
import type { TransactionView } from '../transactions/transaction.types.js';
import { checkUnarchived } from './budget.rules.js';
import type { BudgetService } from './budget.service.js';
import { jarView, type JarMonthView, type JarView } from './budget.types.js';
import type { PaymentJarService } from './payment-jars.service.js';

/** Jars as the transaction feed meets them: a transaction's jar, a jar's month of transactions, moving any transaction to a jar. */
export class TransactionJarService {
  constructor(
    private readonly budget: Pick<BudgetService, 'ownJar' | 'jarById'>,
    private readonly payments: Pick<PaymentJarService, 'assignPaymentToJar'>,
    private readonly feed: Pick<TransactionFeed, 'get' | 'forget' | 'pageOf'>,
    private readonly edits: Pick<TransactionEditService, 'setJar'>,
  ) {}

  /** Any source; a card payment moves as assignPaymentToJar moves it. Null: back to the category's jar. */
  async assign(auth: AuthInfo, id: string, jarId: string | null): Promise<TransactionView> {
    if (jarId !== null && !isUuid(jarId)) throw notFound('Jar');
    const tx = await this.feed.get(auth, id);
    if (tx.source === TransactionSource.CARD) {
      await this.payments.assignPaymentToJar(auth, tx.id, jarId);
      this.feed.forget();
      return this.feed.get(auth, tx.id);
    }
    const jar = jarId === null ? null : await this.budget.ownJar(auth, jarId);
    if (jar) checkUnarchived(jar);
    return this.edits.setJar(auth, tx, jar?.id ?? null);
  }

  /** Transaction.jar: batched; null for income or spending no jar takes. */
  async jarOf(tx: TransactionView): Promise<JarView | null> {
    if (tx.direction === TransactionDirection.IN || tx.jarId === null) return null;
    const jar = await this.budget.jarById(tx.jarId);
    return jar ? jarView(jar) : null;
  }

  /** JarMonth.transactions: every source counted in the jar that month, newest first. */
  monthTransactions(auth: AuthInfo, month: JarMonthView, first: number | null, after: string | null): Promise<Page<TransactionView>> {
    const filter = { jarId: month.jarId, currency: month.spent.currency, from: month.from, to: month.to, direction: TransactionDirection.OUT };
    return this.feed.pageOf(auth.userId, month.timeZone, filter, timeIdCursor(after), pageSize(first));
  }
}
