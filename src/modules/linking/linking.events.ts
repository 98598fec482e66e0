import type { LinkedAccountData } from '../../pubsub/topics.js';
import { money } from '../../shared/money.js';
import type { LinkedAccount } from './linked-account.entity.js';
import { LinkStatus, type LinkedAccountKind } from './linking.enums.js';
import { institutionKey } from './linking.rules.js';
import type { LinkedAccountView } from './linking.types.js';
import type { LinkedItem } from './linked-item.entity.js';

/** The account's status: its own unlink, else its item's. */
export function statusOf(account: LinkedAccount): LinkStatus {
  return account.disconnected ? LinkStatus.DISCONNECTED : (account.item.getEntity() as LinkedItem).status;
}

/** Needs the account's item loaded. */
export function linkedAccountData(account: LinkedAccount): LinkedAccountData {
  const item = account.item.getEntity();
  return {
    id: account.id,
    institutionId: item.institutionId,
    institutionName: item.institutionName,
    name: account.name,
    mask: account.mask,
    kind: account.kind,
    currency: account.currency,
    balanceMinor: account.balance === null ? null : account.balance.toString(),
    status: statusOf(account),
    lastSyncedAt: item.lastSyncedAt?.toISOString() ?? null,
  };
}

export function linkedAccountView(d: LinkedAccountData): LinkedAccountView {
  return {
    id: d.id,
    institution: { id: institutionKey(d.institutionId), name: d.institutionName },
    name: d.name,
    mask: d.mask,
    kind: d.kind as LinkedAccountKind,
    currency: d.currency,
    balance: d.balanceMinor === null ? null : money(BigInt(d.balanceMinor), d.currency),
    status: d.status as LinkStatus,
    lastSyncedAt: d.lastSyncedAt ? new Date(d.lastSyncedAt) : null,
  };
}
