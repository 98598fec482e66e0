import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { money, parseCurrency, parsePositiveAmount } from '../../shared/money.js';
import { parseIsoDay, type Month } from '../../shared/calendar-input.js';
import { dayIn, isoDay, type CalendarDay } from '../../shared/time-zone.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import type { PreferencesService } from '../preferences/preferences.service.js';
import { Budget } from './budget.entity.js';
import type { FeeInput, UpdateFeeInput } from './budget.inputs.js';
import { DEFAULT_CURRENCY, addMonths, checkUnarchived, feeOccurrences, jarName } from './budget.rules.js';
import type { BudgetService } from './budget.service.js';
import { jarView, type FeeView, type JarView } from './budget.types.js';
import { Fee } from './fee.entity.js';
import { Jar } from './jar.entity.js';

export function feeView(fee: Fee, nextDueOn = fee.nextDueOn): FeeView {
  return {
    id: fee.id,
    name: fee.name,
    amount: money(fee.amount, fee.currency),
    cadence: fee.cadence,
    nextDueOn,
    active: fee.active,
    jarId: fee.jar?.id ?? null,
  };
}

/** Recurring costs in the budget currency; created under the budget lock so a currency change cannot slip between. */
export class FeeService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly budget: Pick<BudgetService, 'locked' | 'ownJar'>,
    private readonly preferences: PreferencesService,
  ) {}

  async fees(auth: AuthInfo): Promise<FeeView[]> {
    const fees = await this.em.find(Fee, { user: auth.userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return fees.map((f) => feeView(f));
  }

  async createFee(auth: AuthInfo, input: FeeInput): Promise<FeeView> {
    // Access first: another user's jar is NOT_FOUND whatever else is wrong.
    const jar = input.jarId ? await this.budget.ownJar(auth, input.jarId) : null;
    const name = jarName(input.name);
    const amount = parsePositiveAmount(input.amountMinor);
    const currency = parseCurrency(input.currency);
    const due = parseIsoDay(input.nextDueOn, 'nextDueOn');
    return this.budget.locked(auth, async (em) => {
      const budget = await em.findOne(Budget, { user: auth.userId });
      // Read again under the budget lock, which archiveJar takes too.
      if (jar) checkUnarchived(await em.findOneOrFail(Jar, { id: jar.id }, { refresh: true }));
      const budgetCurrency = budget?.currency ?? DEFAULT_CURRENCY;
      if (currency !== budgetCurrency) throw new DomainError('CURRENCY_MISMATCH', `Your budget is in ${budgetCurrency}: give the fee in ${budgetCurrency}`);
      const now = this.deps.clock.now();
      const fee = Object.assign(new Fee(), {
        user: em.getReference(User, auth.userId, { wrapped: true }),
        name,
        amount,
        currency,
        cadence: input.cadence,
        nextDueOn: due,
        jar: jar ? em.getReference(Jar, jar.id, { wrapped: true }) : null,
        createdAt: now,
        updatedAt: now,
      });
      em.persist(fee);
      await em.flush();
      return feeView(fee);
    });
  }

  async updateFee(auth: AuthInfo, id: string, input: UpdateFeeInput): Promise<FeeView> {
    const fee = await this.ownFee(auth, id);
    if (input.clearJar && input.jarId) throw badUserInput([{ field: 'clearJar', message: 'give either jarId or clearJar, not both' }]);
    if (input.name !== null && input.name !== undefined) fee.name = jarName(input.name);
    if (input.amountMinor !== null && input.amountMinor !== undefined) fee.amount = parsePositiveAmount(input.amountMinor);
    if (input.cadence) fee.cadence = input.cadence;
    if (input.nextDueOn !== null && input.nextDueOn !== undefined) fee.nextDueOn = parseIsoDay(input.nextDueOn, 'nextDueOn');
    if (input.jarId) {
      const jar = await this.budget.ownJar(auth, input.jarId);
      checkUnarchived(jar);
      fee.jar = this.em.getReference(Jar, jar.id, { wrapped: true });
    }
    if (input.clearJar) fee.jar = null;
    if (input.active !== null && input.active !== undefined) fee.active = input.active;
    fee.updatedAt = this.deps.clock.now();
    await this.em.flush();
    return feeView(fee);
  }

  async deleteFee(auth: AuthInfo, id: string): Promise<boolean> {
    const fee = await this.ownFee(auth, id);
    await this.em.nativeDelete(Fee, { id: fee.id });
    return true;
  }

  async feeJar(auth: AuthInfo, fee: FeeView): Promise<JarView | null> {
    return fee.jarId ? jarView(await this.budget.ownJar(auth, fee.jarId)) : null;
  }

  /** Active fees due in the month after the current one (caller's time zone), one item per occurrence. */
  async upcomingFees(auth: AuthInfo): Promise<FeeView[]> {
    const timeZone = (await this.preferences.get(auth.userId)).timeZone;
    const today = dayIn(this.deps.clock.now(), timeZone);
    return upcoming(await this.em.find(Fee, { user: auth.userId, active: true }), addMonths(today, 1));
  }

  private async ownFee(auth: AuthInfo, id: string): Promise<Fee> {
    const fee = isUuid(id) ? await this.em.findOne(Fee, { id: id.toLowerCase(), user: auth.userId }) : null;
    if (!fee) throw notFound('Fee');
    return fee;
  }
}

export function upcoming(fees: Fee[], month: Month): FeeView[] {
  const out: FeeView[] = [];
  for (const fee of fees) {
    for (const day of feeOccurrences(fee.cadence, storedDay(fee.nextDueOn), month)) out.push(feeView(fee, isoDay(day)));
  }
  return out.sort((a, b) => a.nextDueOn.localeCompare(b.nextDueOn) || a.id.localeCompare(b.id));
}

/** A stored due day, read as it was written (a row saved before today's bounds still reads). */
function storedDay(value: string): CalendarDay {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}
