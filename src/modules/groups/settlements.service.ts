import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import type { GroupData, SettlementData, UserData } from '../../pubsub/topics.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { parsePositiveAmount } from '../../shared/money.js';
import { pageSize, toPage, uuidCursor, type Page } from '../../shared/pagination.js';
import { inTransaction } from '../../shared/transactions.js';
import { Account, AccountStatus } from '../accounts/account.entity.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { TransferOrigin } from '../transfers/transfer.entity.js';
import type { TransferQueries } from '../transfers/transfer.queries.js';
import type { TransferService } from '../transfers/transfer.service.js';
import type { TransferView } from '../transfers/transfer.types.js';
import { memberOf, memberRows, membership, run, usernames } from './group.access.js';
import { isoOf } from '../../db/statement.js';
import { Group } from './group.entity.js';
import type { PageArgs, SettleUpInput } from './groups.inputs.js';
import type { GroupsService } from './groups.service.js';
import { selectSettlements } from './groups.sql.js';
import { GroupEventKind, settlementView, type SettlementView } from './groups.types.js';
import { Settlement, SettlementStatus } from './settlement.entity.js';
import { settlementStatus } from './settlements.rules.js';

type Deps = Pick<CoreDeps, 'clock'>;

/** Members paying each other back: through the ledger (transfers' write path) or in cash, recorded by the payee. */
export class SettlementsService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Deps,
    private readonly groups: Pick<GroupsService, 'enabled' | 'access' | 'changed'>,
    private readonly transfers: Pick<TransferService, 'propose'>,
    private readonly transferQueries: Pick<TransferQueries, 'get'>,
  ) {}

  /**
   * A PENDING_CONFIRMATION transfer to the member's first open account in the group currency,
   * keyed by the settlement's id: confirmTransfer posts it, and the posting marks it SETTLED.
   */
  async settleUp(auth: AuthInfo, input: SettleUpInput): Promise<SettlementView> {
    await this.groups.enabled(auth);
    const amount = parsePositiveAmount(input.amountMinor);
    const { group } = await this.groups.access(auth, input.groupId);
    const to = memberOf(await memberRows(this.em, group.id), input.toUserId);
    if (to.user.id === auth.userId) throw badUserInput([{ field: 'toUserId', message: 'must be another member' }]);
    const [from, receiving] = await Promise.all([
      isUuid(input.fromAccountId) ? this.em.findOne(Account, { id: input.fromAccountId.toLowerCase(), user: auth.userId, system: false }) : null,
      this.em.findOne(
        Account,
        { user: to.user.id, currency: group.currency, status: AccountStatus.OPEN, system: false },
        { orderBy: { createdAt: 'asc', id: 'asc' } },
      ),
    ]);
    if (!from) throw notFound('Account');
    if (!receiving) throw new DomainError('SETTLEMENT_ACCOUNT_MISSING', `${to.user.username} has no open ${group.currency} account to receive the payment`);
    const now = this.deps.clock.now();
    const settlement = Object.assign(new Settlement(), {
      group: this.em.getReference(Group, group.id),
      fromUser: this.em.getReference(User, auth.userId),
      toUser: this.em.getReference(User, to.user.id),
      amount,
      status: SettlementStatus.PROPOSED,
      fromAccount: this.em.getReference(Account, from.id),
      createdAt: now,
      updatedAt: now,
    });
    await this.em.persist(settlement).flush();
    let transfer: TransferView;
    try {
      transfer = await this.transfers.propose(
        auth,
        {
          fromAccountId: from.id,
          toAccountNumber: receiving.number,
          amountMinor: amount,
          currency: group.currency,
          description: `Settling up: ${group.name}`.slice(0, 500),
          idempotencyKey: settlement.id,
        },
        TransferOrigin.USER,
      );
    } catch (error) {
      // Nothing was proposed: the settlement never existed.
      await this.em.nativeDelete(Settlement, { id: settlement.id });
      throw error;
    }
    await this.em.nativeUpdate(Settlement, { id: settlement.id }, { transfer: transfer.id });
    const me = (await usernames(this.em, [auth.userId])).get(auth.userId)!;
    const data = settlementData(group, {
      id: settlement.id,
      from: me,
      to: to.user,
      amount,
      status: SettlementStatus.PROPOSED,
      transferId: transfer.id,
      createdAt: now,
    });
    await this.groups.changed(GroupEventKind.SETTLEMENT_PROPOSED, group, now, { settlement: data });
    return settlementView(data);
  }

  /** Only the member who was paid says so: nobody settles their own debt by declaring it paid. */
  async recordOutside(auth: AuthInfo, groupId: string, fromUserId: string, amountMinor: bigint): Promise<SettlementView> {
    await this.groups.enabled(auth);
    const amount = parsePositiveAmount(amountMinor);
    const now = this.deps.clock.now();
    const data = await inTransaction(this.em, async (em) => {
      const { group } = await membership(em, auth, groupId, true);
      const rows = await memberRows(em, group.id);
      const from = memberOf(rows, fromUserId);
      if (from.user.id === auth.userId) {
        throw new DomainError('FORBIDDEN', 'Only the member who was paid can record a payment made outside the gateway: ask them to record it');
      }
      const me = rows.find((r) => r.user.id === auth.userId)!.user;
      const settlement = Object.assign(new Settlement(), {
        group: em.getReference(Group, group.id),
        fromUser: em.getReference(User, from.user.id),
        toUser: em.getReference(User, auth.userId),
        amount,
        status: SettlementStatus.SETTLED,
        createdAt: now,
        updatedAt: now,
      });
      await em.persist(settlement).flush();
      return settlementData(group, { id: settlement.id, from: from.user, to: me, amount, status: SettlementStatus.SETTLED, transferId: null, createdAt: now });
    });
    await this.groups.changed(GroupEventKind.SETTLED, data.group, now, { settlement: data });
    return settlementView(data);
  }

  /** Newest first: the page with its transfers' state, the count and the names, three statements. */
  async page(auth: AuthInfo, groupId: string, args: PageArgs): Promise<Page<SettlementView>> {
    const { group } = await this.groups.access(auth, groupId);
    const limit = pageSize(args.first);
    const after = uuidCursor(args.after);
    const [rows, total] = await Promise.all([run(this.em, selectSettlements(group.id, after, limit + 1)), this.em.count(Settlement, { group: group.id })]);
    const names = await usernames(
      this.em,
      rows.flatMap((r) => [r.from_user_id as string, r.to_user_id as string]),
    );
    const now = this.deps.clock.now();
    const views = rows.map((r) => {
      const expiresAt = r.transfer_expires_at ? new Date(isoOf(r.transfer_expires_at)) : null;
      return settlementView(
        settlementData(group, {
          id: r.id as string,
          from: names.get(r.from_user_id as string)!,
          to: names.get(r.to_user_id as string)!,
          amount: BigInt(r.amount as string),
          status: settlementStatus(r.status as SettlementStatus, (r.transfer_status as string | null) ?? null, expiresAt, now),
          transferId: (r.transfer_id as string | null) ?? null,
          createdAt: new Date(isoOf(r.created_at)),
        }),
      );
    });
    return toPage(views, limit, (s) => [s.id], total, { forward: true, hadCursor: after !== null });
  }

  /** The ledger transfer as the transfers module shows it to the caller: the payer always, the payee once posted; null otherwise. */
  async transfer(auth: AuthInfo, s: SettlementView): Promise<TransferView | null> {
    if (!s.transferId || (auth.userId !== s.from.id && auth.userId !== s.to.id)) return null;
    try {
      return await this.transferQueries.get(auth, s.transferId);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }
}

export function settlementData(
  group: GroupData,
  s: { id: string; from: UserData; to: UserData; amount: bigint; status: SettlementStatus; transferId: string | null; createdAt: Date },
): SettlementData {
  return {
    id: s.id,
    group,
    from: s.from,
    to: s.to,
    amountMinor: s.amount.toString(),
    status: s.status,
    transferId: s.transferId,
    createdAt: s.createdAt.toISOString(),
  };
}
