import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import type { GroupData, GroupExpenseData, UserData } from '../../pubsub/topics.js';
import { parseIsoDay } from '../../shared/calendar-input.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { checkFreeText } from '../../shared/input-rules.js';
import { parsePositiveAmount } from '../../shared/money.js';
import { pageSize, toPage, uuidCursor, type Page } from '../../shared/pagination.js';
import { inTransaction } from '../../shared/transactions.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { memberOf, memberRows, membership, run, usernames, type MemberRow } from './group.access.js';
import { isoOf } from '../../db/statement.js';
import { GroupExpense, GroupExpenseVersion, SplitMode, type ExpenseState, type StoredLine } from './group-expense.entity.js';
import { Group } from './group.entity.js';
import { GroupExpenseProposal } from './expense-proposal.entity.js';
import type { ExpensePayerInput, ExpenseShareInput, GroupExpenseInput, PageArgs, UpdateGroupExpenseInput } from './groups.inputs.js';
import type { GroupsService } from './groups.service.js';
import { moveExpenseBalances } from './groups.sql.js';
import { GroupEventKind, expenseView, type GroupExpenseView } from './groups.types.js';
import { balanceMoves, checkPayers, splitExpense, type LineRequest } from './splits.rules.js';

type Deps = Pick<CoreDeps, 'clock' | 'config'>;

/** A proposed expense, with the names of the members it involves. */
export interface ExpenseProposal {
  id: string;
  group: GroupData;
  state: ExpenseState;
  expiresAt: Date;
  names: Map<string, UserData>;
}

/**
 * Shared expenses: each write locks its group row first, so concurrent writes to one group
 * run one after the other and every check (membership, version, idempotency key) holds at commit.
 */
export class ExpensesService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Deps,
    private readonly groups: Pick<GroupsService, 'enabled' | 'access' | 'changed'>,
  ) {}

  private enabled(auth: AuthInfo): Promise<void> {
    return this.groups.enabled(auth);
  }

  async add(auth: AuthInfo, input: GroupExpenseInput): Promise<GroupExpenseView> {
    await this.enabled(auth);
    const key = input.clientRequestId?.trim() || null;
    const now = this.deps.clock.now();
    const request = this.request(input);
    const { data, fresh } = await inTransaction(this.em, async (em) => {
      const m = await membership(em, auth, input.groupId, true);
      const state = request(auth, await memberRows(em, m.group.id));
      if (key !== null) {
        const earlier = await em.findOne(GroupExpense, { group: m.group.id, createdBy: auth.userId, clientRequestId: key });
        if (earlier) {
          if (!sameRequest(stateOf(earlier), state)) {
            throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This clientRequestId was already used for a different expense: use a new one for a new expense');
          }
          return { data: await this.data(em, m.group, earlier), fresh: false };
        }
      }
      const expense = await this.insert(em, auth, m.group, state, key, now);
      return { data: await this.data(em, m.group, expense), fresh: true };
    });
    if (fresh) await this.groups.changed(GroupEventKind.EXPENSE_ADDED, data.group, now, { expense: data });
    return expenseView(data);
  }

  /**
   * The assistant's way toward an expense: checked and split exactly as addGroupExpense would,
   * stored as a proposal; nothing counts until a member confirms it (confirm) before it expires.
   */
  async propose(auth: AuthInfo, input: GroupExpenseInput): Promise<ExpenseProposal> {
    await this.enabled(auth);
    const request = this.request(input);
    const now = this.deps.clock.now();
    const { group } = await this.groups.access(auth, input.groupId);
    const state = request(auth, await memberRows(this.em, group.id));
    const proposal = Object.assign(new GroupExpenseProposal(), {
      group: this.em.getReference(Group, group.id),
      proposedBy: this.em.getReference(User, auth.userId),
      state,
      expiresAt: new Date(now.getTime() + this.deps.config.transferPendingTtlSec * 1000),
      createdAt: now,
      updatedAt: now,
    });
    await this.em.persist(proposal).flush();
    return { id: proposal.id, group, state, expiresAt: proposal.expiresAt, names: await usernames(this.em, userIdsOfState(state)) };
  }

  /**
   * A member adds the proposed expense, as proposed (the confirming member is its creator);
   * a second confirmation returns the same expense. PROPOSAL_EXPIRED once it is too old;
   * NOT_A_MEMBER when someone it names has left meanwhile.
   */
  async confirm(auth: AuthInfo, proposalId: string): Promise<GroupExpenseView> {
    await this.enabled(auth);
    if (!isUuid(proposalId)) throw notFound('Proposal');
    const now = this.deps.clock.now();
    const found = await this.em.findOne(GroupExpenseProposal, { id: proposalId.toLowerCase() }, { fields: ['group'] });
    if (!found) throw notFound('Proposal');
    const { data, fresh } = await inTransaction(this.em, async (em) => {
      const m = await membership(em, auth, found.group.id, true).catch(() => Promise.reject(notFound('Proposal')));
      const proposal = await em.findOneOrFail(GroupExpenseProposal, found.id, { refresh: true, populate: ['expense'] });
      if (proposal.expense) return { data: await this.data(em, m.group, proposal.expense.getEntity()), fresh: false };
      if (proposal.expiresAt <= now) {
        throw new DomainError('PROPOSAL_EXPIRED', 'This proposed expense expired before anyone confirmed it: ask the assistant again, or add it yourself');
      }
      const members = await memberRows(em, m.group.id);
      for (const id of userIdsOfState(proposal.state)) memberOf(members, id);
      const expense = await this.insert(em, auth, m.group, proposal.state, null, now);
      await em.nativeUpdate(GroupExpenseProposal, { id: proposal.id }, { expense: expense.id, updatedAt: now });
      return { data: await this.data(em, m.group, expense), fresh: true };
    });
    if (fresh) await this.groups.changed(GroupEventKind.EXPENSE_ADDED, data.group, now, { expense: data });
    return expenseView(data);
  }

  /** The input checked before any statement, then split over the group's members. */
  private request(input: GroupExpenseInput): (auth: AuthInfo, members: MemberRow[]) => ExpenseState {
    const amount = parsePositiveAmount(input.amountMinor);
    const base = {
      description: description(input.description),
      category: input.category ?? SpendingCategory.OTHER,
      occurredOn: parseIsoDay(input.occurredOn, 'occurredOn'),
    };
    return (auth, members) => ({
      ...base,
      amount: amount.toString(),
      splitMode: input.splitMode,
      payers: payersOf(amount, input.paidBy, auth, members),
      shares: sharesOf(amount, input.splitMode, input.shares, members),
      deleted: false,
    });
  }

  private async insert(em: EntityManager, auth: AuthInfo, group: GroupData, state: ExpenseState, key: string | null, now: Date): Promise<GroupExpense> {
    const expense = Object.assign(new GroupExpense(), {
      ...stored(state),
      group: em.getReference(Group, group.id),
      createdBy: em.getReference(User, auth.userId),
      clientRequestId: key,
      createdAt: now,
      updatedAt: now,
    });
    await em.persist(expense).flush();
    await moveBalances(em, group.id, null, state);
    return expense;
  }

  /** A new version: the previous one is kept, and a stale expectedVersion is CONFLICT. */
  async update(auth: AuthInfo, id: string, input: UpdateGroupExpenseInput): Promise<GroupExpenseView> {
    await this.enabled(auth);
    return this.revise(auth, id, input.expectedVersion, GroupEventKind.EXPENSE_UPDATED, (before, members) => {
      const amount = input.amountMinor === null || input.amountMinor === undefined ? BigInt(before.amount) : parsePositiveAmount(input.amountMinor);
      const mode = input.splitMode ?? before.splitMode;
      const keptPayers =
        before.payers.length === 1 && amount.toString() !== before.amount
          ? [{ userId: before.payers[0]!.userId, amountMinor: amount }]
          : linesOf(before.payers, 'amount');
      const keptShares = mode === before.splitMode ? linesOf(before.shares, mode === SplitMode.EXACT ? 'amount' : 'weight') : null;
      return {
        description: input.description === null || input.description === undefined ? before.description : description(input.description),
        amount: amount.toString(),
        category: input.category ?? before.category,
        occurredOn: input.occurredOn ? parseIsoDay(input.occurredOn, 'occurredOn') : before.occurredOn,
        splitMode: mode,
        payers: payersOf(amount, input.paidBy ?? keptPayers, auth, members),
        shares: sharesOf(amount, mode, input.shares ?? keptShares, members),
        deleted: false,
      };
    });
  }

  /** A soft delete with the same version check; balances drop it at once. */
  async delete(auth: AuthInfo, id: string, expectedVersion: number): Promise<GroupExpenseView> {
    await this.enabled(auth);
    return this.revise(auth, id, expectedVersion, GroupEventKind.EXPENSE_DELETED, (before) => ({ ...before, deleted: true }));
  }

  private async revise(
    auth: AuthInfo,
    id: string,
    expectedVersion: number,
    kind: GroupEventKind,
    next: (before: ExpenseState, members: MemberRow[]) => ExpenseState,
  ): Promise<GroupExpenseView> {
    if (!isUuid(id)) throw notFound('Expense');
    const now = this.deps.clock.now();
    const data = await inTransaction(this.em, async (em) => {
      const found = await em.findOne(GroupExpense, { id: id.toLowerCase() }, { fields: ['group'] });
      if (!found) throw notFound('Expense');
      const m = await membership(em, auth, found.group.id, true).catch(() => Promise.reject(notFound('Expense')));
      const expense = await em.findOneOrFail(GroupExpense, found.id, { refresh: true });
      if (expense.deleted) throw new DomainError('CONFLICT', 'This expense was deleted');
      if (expense.version !== expectedVersion) {
        throw new DomainError('CONFLICT', `The expense is at version ${expense.version}, not ${expectedVersion}: read it again and redo the change`, {
          currentVersion: expense.version,
        });
      }
      const before = stateOf(expense);
      const after = next(before, await memberRows(em, m.group.id));
      em.persist(
        Object.assign(new GroupExpenseVersion(), {
          expense,
          version: expense.version,
          state: before,
          replacedBy: em.getReference(User, auth.userId),
          createdAt: now,
          updatedAt: now,
        }),
      );
      Object.assign(expense, stored(after), { version: expense.version + 1, updatedAt: now });
      await em.flush();
      await moveBalances(em, m.group.id, before, after);
      return this.data(em, m.group, expense);
    });
    await this.groups.changed(kind, data.group, now, { expense: data });
    return expenseView(data);
  }

  /** Newest first, deleted ones included (they say so): one statement for the page, one for the count, one for the names. */
  async page(auth: AuthInfo, groupId: string, args: PageArgs): Promise<Page<GroupExpenseView>> {
    const { group } = await this.groups.access(auth, groupId);
    const limit = pageSize(args.first);
    const after = uuidCursor(args.after);
    const where = { group: group.id };
    const [rows, total] = await Promise.all([
      this.em.find(GroupExpense, after ? { ...where, id: { $lt: after } } : where, { orderBy: { id: 'desc' }, limit: limit + 1 }),
      this.em.count(GroupExpense, where),
    ]);
    const names = await usernames(this.em, rows.flatMap(userIdsOf));
    const views = rows.map((e) => expenseView(dataOf(group, e, names)));
    return toPage(views, limit, (e) => [e.id], total, { forward: true, hadCursor: after !== null });
  }

  private async data(em: EntityManager, group: GroupData, e: GroupExpense): Promise<GroupExpenseData> {
    return dataOf(group, e, await usernames(em, userIdsOf(e)));
  }
}

/**
 * The members' kept balances follow the expense, in its transaction (the caller holds the
 * group's lock). Every line names a member row (payers and shares are checked to be current
 * members, and a member who leaves keeps the row), so a line that moves nothing is a bug.
 */
async function moveBalances(em: EntityManager, groupId: string, before: ExpenseState | null, after: ExpenseState): Promise<void> {
  const moves = balanceMoves(before, after);
  if (moves.size === 0) return;
  const moved = await run(em, moveExpenseBalances(groupId, moves));
  if (moved.length !== moves.size) throw new Error(`group ${groupId}: ${moves.size - moved.length} of an expense's members have no member row`);
}

function description(value: string): string {
  checkFreeText(value, 'description');
  const text = value.trim();
  if (text.length === 0) throw badUserInput([{ field: 'description', message: 'must be 1 to 200 characters' }]);
  return text;
}

/** Payers as given, or the caller for all of it; each a current member. */
function payersOf(amount: bigint, given: readonly ExpensePayerInput[] | null | undefined, auth: AuthInfo, members: readonly MemberRow[]): StoredLine[] {
  const lines: LineRequest[] = given?.length ? given.map((p) => ({ userId: p.userId, value: p.amountMinor })) : [{ userId: auth.userId, value: amount }];
  return checkPayers(
    amount,
    lines.map((l) => ({ ...l, userId: memberOf(members, l.userId).user.id })),
  ).map((p) => ({ userId: p.userId, amount: p.amount.toString() }));
}

/** Shares as given, or every member in join order for EQUAL; each a current member. */
function sharesOf(amount: bigint, mode: SplitMode, given: readonly ExpenseShareInput[] | null | undefined, members: readonly MemberRow[]): StoredLine[] {
  if (!given?.length && mode !== SplitMode.EQUAL) {
    throw badUserInput([{ field: 'shares', message: 'required for EXACT, PERCENT and SHARES' }]);
  }
  const lines: LineRequest[] = given?.length
    ? given.map((s) => ({ userId: memberOf(members, s.userId).user.id, value: s.value ?? null }))
    : members.map((m) => ({ userId: m.user.id }));
  return splitExpense(amount, mode, lines).map((s) => ({ userId: s.userId, amount: s.amount.toString(), weight: s.weight }));
}

/** The lines an edit keeps when it changes neither payers nor shares. */
function linesOf(lines: readonly StoredLine[], value: 'amount' | 'weight'): Array<{ userId: string; amountMinor: bigint; value: bigint | null }> {
  return lines.map((l) => {
    const v = value === 'amount' ? BigInt(l.amount) : l.weight === null || l.weight === undefined ? null : BigInt(l.weight);
    return { userId: l.userId, amountMinor: v ?? 0n, value: v };
  });
}

function stored(s: ExpenseState) {
  return {
    description: s.description,
    amount: BigInt(s.amount),
    category: s.category,
    occurredOn: s.occurredOn,
    splitMode: s.splitMode,
    payers: s.payers,
    shares: s.shares,
    deleted: s.deleted,
  };
}

function stateOf(e: GroupExpense): ExpenseState {
  return {
    description: e.description,
    amount: e.amount.toString(),
    category: e.category,
    occurredOn: e.occurredOn,
    splitMode: e.splitMode,
    payers: e.payers,
    shares: e.shares,
    deleted: e.deleted,
  };
}

/** Field by field: jsonb does not keep the order of an object's keys. */
function sameRequest(a: ExpenseState, b: ExpenseState): boolean {
  const text = (s: ExpenseState) =>
    [
      s.description,
      s.amount,
      s.category,
      s.occurredOn,
      s.splitMode,
      ...s.payers.map((p) => `${p.userId}:${p.amount}`),
      '|',
      ...s.shares.map((x) => `${x.userId}:${x.amount}:${x.weight ?? ''}`),
    ].join('\n');
  return text(a) === text(b);
}

function userIdsOf(e: GroupExpense): string[] {
  return [e.createdBy.id, ...userIdsOfState(e)];
}

function userIdsOfState(s: Pick<ExpenseState, 'payers' | 'shares'>): string[] {
  return [...new Set([...s.payers.map((p) => p.userId), ...s.shares.map((x) => x.userId)])];
}

function dataOf(group: GroupData, e: GroupExpense, names: Map<string, UserData>): GroupExpenseData {
  const user = (id: string): UserData => names.get(id) ?? { id, username: 'unknown' };
  return {
    id: e.id,
    group,
    description: e.description,
    amountMinor: e.amount.toString(),
    category: e.category,
    occurredOn: e.occurredOn,
    splitMode: e.splitMode,
    paidBy: e.payers.map((p) => ({ user: user(p.userId), amountMinor: p.amount })),
    shares: e.shares.map((s) => ({ user: user(s.userId), amountMinor: s.amount, weight: s.weight ?? null })),
    createdBy: user(e.createdBy.id),
    version: e.version,
    deleted: e.deleted,
    createdAt: isoOf(e.createdAt),
    updatedAt: isoOf(e.updatedAt),
  };
}
