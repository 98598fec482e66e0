import type { EntityManager } from '@mikro-orm/postgresql';
import { ormSql } from '../../db/orm-sql.js';
import DataLoader from 'dataloader';
import { v7 as uuidv7 } from 'uuid';
import type { CoreDeps } from '../../deps.js';
import { badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { pageSize, timeIdCursor, toPage, type Page } from '../../shared/pagination.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { CardPayment, CardPaymentStatus } from '../cards/card-payment.entity.js';
import { paymentView, rowOfPayment, type CardPaymentView } from '../cards/card.types.js';
import { checkUnarchived } from './budget.rules.js';
import type { BudgetService } from './budget.service.js';
import { deleteAssignment, selectJarPaymentIds, selectPaymentJars, upsertAssignment } from './budget.sql.js';
import { jarView, type JarMonthView, type JarView } from './budget.types.js';

type Rows = Array<Record<string, unknown>>;

/**
 * Which jar a card payment counts in: its category's, or the one the user moved it to. A
 * moved payment is a payment_jar_assignment row beside it; the payment itself never changes.
 */
export class PaymentJarService {
  private readonly paymentJars = new DataLoader<string, string | null>(async (ids) => {
    const query = selectPaymentJars(ids);
    const rows = await ormSql<Rows[number]>(this.em, query.sql, query.params);
    const map = new Map(rows.map((r) => [r.id as string, (r.jar_id as string | null) ?? null]));
    return ids.map((id) => map.get(id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly budget: Pick<BudgetService, 'ownJar' | 'jarById'>,
  ) {}

  /** JarMonth.payments: approved payments counted in the jar that month, newest first. */
  async jarMonthPayments(auth: AuthInfo, month: JarMonthView, first: number | null, after: string | null): Promise<Page<CardPaymentView>> {
    const limit = pageSize(first);
    const cursor = timeIdCursor(after);
    const query = selectJarPaymentIds(month.jarId, auth.userId, month.spent.currency, month.from, month.to, cursor, limit);
    const rows = await ormSql<Rows[number]>(this.em, query.sql, query.params);
    const ids = rows.flatMap((r) => (r.id === null ? [] : [r.id as string]));
    const payments = ids.length ? await this.em.find(CardPayment, { id: { $in: ids } }) : [];
    const byId = new Map(payments.map((p) => [p.id, p]));
    const views = ids.map((id) => paymentView(rowOfPayment(byId.get(id)!)));
    const total = (rows[0]?.total as number | undefined) ?? 0;
    return toPage(views, limit, (p) => [p.createdAt.toISOString(), p.id], total, { forward: true, hadCursor: cursor !== null });
  }

  /** CardPayment.jar: batched; null for a declined payment or one no jar takes. */
  async paymentJar(payment: CardPaymentView): Promise<JarView | null> {
    const jarId = await this.paymentJars.load(payment.id);
    const jar = jarId ? await this.budget.jarById(jarId) : null;
    return jar ? jarView(jar) : null;
  }

  /** Moves an approved payment to one of the caller's unarchived jars; null moves it back to its category's jar. */
  async assignPaymentToJar(auth: AuthInfo, paymentId: string, jarId: string | null): Promise<CardPaymentView> {
    if (jarId !== null && !isUuid(jarId)) throw notFound('Jar');
    const payment = isUuid(paymentId) ? await this.em.findOne(CardPayment, { id: paymentId.toLowerCase(), user: auth.userId }) : null;
    if (!payment) throw notFound('Card payment');
    if (payment.status !== CardPaymentStatus.APPROVED) throw badUserInput([{ field: 'paymentId', message: 'only approved payments count in a jar' }]);
    const jar = jarId === null ? null : await this.budget.ownJar(auth, jarId);
    if (jar) checkUnarchived(jar);
    const write = jar
      ? upsertAssignment({ id: uuidv7(), paymentId: payment.id, userId: auth.userId, jarId: jar.id, at: this.deps.clock.now() })
      : deleteAssignment(payment.id);
    await ormSql(this.em, write.sql, write.params);
    this.paymentJars.clear(payment.id);
    return paymentView(rowOfPayment(payment));
  }
}
