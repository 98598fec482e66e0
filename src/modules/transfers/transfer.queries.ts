import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { CoreDeps } from '../../deps.js';
import { notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { pageSize, toPage, uuidCursor, type Page } from '../../shared/pagination.js';
import type { TransferData } from '../../pubsub/topics.js';
import type { AccountService } from '../accounts/account.service.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { Transfer, TransferStatus } from './transfer.entity.js';
import { toTransferData } from './transfer.events.js';
import type { TransfersArgs } from './transfer.inputs.js';
import { canSee } from './transfer.rules.js';
import { rowOfTransfer, transferView, type TransferRow, type TransferView } from './transfer.types.js';

/** Transfers as their parties read them: one, a page, an entry's, the agent's snapshot. The write path is transfer.service.ts. */
export class TransferQueries {
  private readonly byId = new DataLoader<string, Transfer | null>(async (ids) => {
    const rows = await this.em.find(Transfer, { id: { $in: [...ids] } });
    const map = new Map(rows.map((t) => [t.id, t]));
    return ids.map((id) => map.get(id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly accounts: Pick<AccountService, 'get'>,
  ) {}

  async get(auth: AuthInfo, id: string): Promise<TransferView> {
    return transferView(await this.visibleOrNotFound(auth, id), auth.userId, this.deps.clock.now());
  }

  /** The JSON-safe snapshot that events carry (the agent's TransferProposed), for a transfer the caller may see. */
  async snapshot(auth: AuthInfo, id: string): Promise<TransferData> {
    return toTransferData(await this.visibleOrNotFound(auth, id));
  }

  /** For LedgerEntry.transfer: the entry is the caller's, so its transfer is theirs to see; batched. */
  async forEntry(auth: AuthInfo, transferId: string): Promise<TransferView> {
    const transfer = await this.byId.load(transferId);
    if (!transfer) throw notFound('Transfer');
    return transferView(rowOfTransfer(transfer), auth.userId, this.deps.clock.now());
  }

  /** Newest first by id (uuid v7: time-ordered), keyset-paged so inserts never shift a page. */
  async list(auth: AuthInfo, args: TransfersArgs): Promise<Page<TransferView>> {
    const limit = pageSize(args.first);
    const cursor = uuidCursor(args.after);
    const now = this.deps.clock.now();
    const me = auth.userId;
    const conditions: Array<FilterQuery<Transfer>> = [{ $or: [{ initiator: me }, { fromUser: me }, { toUser: me, status: TransferStatus.POSTED }] }];
    if (args.accountId) {
      const account = await this.accounts.get(auth, args.accountId);
      conditions.push({ $or: [{ fromAccount: account.id }, { toAccount: account.id }] });
    }
    if (args.status === TransferStatus.PENDING_CONFIRMATION) {
      conditions.push({ status: TransferStatus.PENDING_CONFIRMATION, expiresAt: { $gt: now } });
    } else if (args.status === TransferStatus.EXPIRED) {
      conditions.push({
        $or: [{ status: TransferStatus.EXPIRED }, { status: TransferStatus.PENDING_CONFIRMATION, expiresAt: { $lte: now } }],
      });
    } else if (args.status) {
      conditions.push({ status: args.status });
    }
    const where: FilterQuery<Transfer> = { $and: conditions };
    const [rows, total] = await Promise.all([
      this.em.find(Transfer, cursor ? { $and: [where, { id: { $lt: cursor } }] } : where, {
        orderBy: { id: 'desc' },
        limit: limit + 1,
      }),
      this.em.count(Transfer, where),
    ]);
    const views = rows.map((t) => transferView(rowOfTransfer(t), me, now));
    return toPage(views, limit, (t) => [t.id], total, { forward: true, hadCursor: cursor !== null });
  }

  private async visibleOrNotFound(auth: AuthInfo, id: string): Promise<TransferRow> {
    const transfer = isUuid(id) ? await this.byId.load(id) : null;
    const row = transfer ? rowOfTransfer(transfer) : null;
    if (!row || !canSee(auth.userId, row)) throw notFound('Transfer');
    return row;
  }
}
