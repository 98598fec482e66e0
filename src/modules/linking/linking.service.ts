import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { CoreDeps } from '../../deps.js';
import { Topic, type LinkedAccountEventPayload } from '../../pubsub/topics.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { inTransaction } from '../../shared/transactions.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { AggregatorError } from './aggregator.js';
import { LinkSession } from './link-session.entity.js';
import { LinkedAccount } from './linked-account.entity.js';
import { LinkedItem } from './linked-item.entity.js';
import { LinkedTransaction } from './linked-transaction.entity.js';
import { institutionKey, kindOf } from './linking.rules.js';
import { LinkedAccountEventKind, LinkStatus } from './linking.enums.js';
import { linkedAccountData, linkedAccountView } from './linking.events.js';
import type { CompleteAccountLinkInput, StartAccountLinkInput } from './linking.inputs.js';
import type { LinkingRuntime } from './linking.runtime.js';
import type { InstitutionView, LinkedAccountView, LinkSessionView, SyncResultView } from './linking.types.js';
import type { LinkSyncService } from './sync.service.js';

/** Linking, listing and unlinking accounts at other banks; the sync itself is LinkSyncService's. */
export class LinkingService {
  private readonly byId = new DataLoader<string, LinkedAccount | null>(async (ids) => {
    const rows = await this.em.find(LinkedAccount, { id: { $in: [...ids] } }, { populate: ['item'] });
    const map = new Map(rows.map((a) => [a.id, a]));
    return ids.map((id) => map.get(id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'pubsub' | 'logger' | 'flags'>,
    private readonly runtime: LinkingRuntime,
    private readonly sync: Pick<LinkSyncService, 'syncItem' | 'announce'>,
  ) {}

  async institutions(search: string | null): Promise<InstitutionView[]> {
    await this.deps.flags.require('linked-accounts', null);
    const found = await this.aggregate(() => this.runtime.aggregator.institutions(search?.trim() || null));
    return found.map((i) => ({ id: institutionKey(i.id), name: i.name }));
  }

  async start(auth: AuthInfo, input: StartAccountLinkInput): Promise<LinkSessionView> {
    // Off: no new link and no call to the aggregator; what was linked stays readable and removable.
    await this.deps.flags.require('linked-accounts', auth);
    const relink = input.relinkAccountId ? await this.own(auth, input.relinkAccountId) : null;
    const redirectUri = input.redirectUri ?? this.runtime.defaultRedirectUri;
    if (!/^https?:\/\//i.test(redirectUri) || !URL.canParse(redirectUri)) throw badUserInput([{ field: 'redirectUri', message: 'must be an http(s) URL' }]);
    const item = relink?.item.getEntity() ?? null;
    if (relink && (relink.disconnected || item!.status !== LinkStatus.LOGIN_REQUIRED)) {
      throw badUserInput([{ field: 'relinkAccountId', message: 'only an account whose status is LOGIN_REQUIRED is relinked' }]);
    }
    const wanted = item ? institutionKey(item.institutionId) : input.institutionId.toLowerCase();
    const institution = (await this.aggregate(() => this.runtime.aggregator.institutions(null))).find((i) => institutionKey(i.id) === wanted);
    if (!institution) throw notFound('Institution');
    const session = Object.assign(new LinkSession(), {
      user: this.em.getReference(User, auth.userId, { wrapped: true }),
      institutionId: institution.id,
      institutionName: institution.name,
      relinkItem: item ? this.em.getReference(LinkedItem, item.id, { wrapped: true }) : null,
    });
    const accessToken = item ? this.runtime.cipher.open((await this.sealedToken(item.id))!, item.id) : undefined;
    const started = await this.aggregate(() =>
      this.runtime.aggregator.startLink({
        userId: auth.userId,
        institutionId: institution.id,
        redirectUri,
        linkSessionId: session.id,
        webhookUrl: this.runtime.webhookUrl,
        accessToken,
      }),
    );
    Object.assign(session, { linkUrl: started.linkUrl, expiresAt: started.expiresAt, createdAt: this.deps.clock.now(), updatedAt: this.deps.clock.now() });
    this.em.persist(session);
    await this.em.flush();
    return { id: session.id, linkUrl: session.linkUrl, expiresAt: session.expiresAt, institution: { id: wanted, name: institution.name } };
  }

  /** Exchanges the public token, stores the token sealed and the accounts, and syncs once. */
  async complete(auth: AuthInfo, input: CompleteAccountLinkInput): Promise<LinkedAccountView[]> {
    await this.deps.flags.require('linked-accounts', auth);
    const session = isUuid(input.linkSessionId) ? await this.em.findOne(LinkSession, { id: input.linkSessionId.toLowerCase(), user: auth.userId }) : null;
    if (!session) throw notFound('Link session');
    if (session.completedAt !== null || session.expiresAt.getTime() < this.deps.clock.now().getTime()) {
      throw new DomainError('LINK_SESSION_EXPIRED', 'This link session is over: start a new one');
    }
    const exchanged = await this.aggregate(() => this.runtime.aggregator.exchange(input.publicToken));
    const remote = await this.aggregate(() => this.runtime.aggregator.accounts(exchanged.accessToken));
    const now = this.deps.clock.now();
    const relinked = session.relinkItem !== null;
    const itemId = await inTransaction(this.em, async (em) => {
      (await em.findOneOrFail(LinkSession, { id: session.id })).completedAt = now;
      let item = await em.findOne(LinkedItem, { user: auth.userId, externalId: exchanged.itemId });
      if (!item) {
        item = Object.assign(new LinkedItem(), {
          user: em.getReference(User, auth.userId, { wrapped: true }),
          institutionId: session.institutionId,
          institutionName: session.institutionName,
          externalId: exchanged.itemId,
          createdAt: now,
        });
        em.persist(item);
      }
      item.accessTokenSealed = this.runtime.cipher.seal(exchanged.accessToken, item.id);
      item.status = LinkStatus.ACTIVE;
      item.updatedAt = now;
      const known = new Map((await em.find(LinkedAccount, { item: item.id })).map((a) => [a.externalId, a]));
      for (const r of remote) {
        const account =
          known.get(r.externalId) ??
          em.create(LinkedAccount, {
            user: em.getReference(User, auth.userId, { wrapped: true }),
            item,
            externalId: r.externalId,
            name: r.name,
            kind: kindOf(r.type, r.subtype),
            currency: r.currency,
            createdAt: now,
            updatedAt: now,
          });
        Object.assign(account, { name: r.name, mask: r.mask, balance: r.balanceMinor, disconnected: false });
      }
      return item.id;
    });
    const accounts = await this.em.find(LinkedAccount, { item: itemId }, { populate: ['item'], refresh: true, orderBy: { createdAt: 'asc', id: 'asc' } });
    if (relinked) await this.sync.announce(auth.userId, accounts, LinkedAccountEventKind.RELINKED, null);
    try {
      await this.sync.syncItem(itemId);
    } catch (error) {
      // Linked either way: the first sync is retried by the schedule and the webhook.
      this.deps.logger.warn({ err: error, itemId }, 'first sync after linking failed');
    }
    return this.listOf(await this.em.find(LinkedAccount, { item: itemId }, { populate: ['item'], refresh: true, orderBy: { createdAt: 'asc', id: 'asc' } }));
  }

  async list(auth: AuthInfo): Promise<LinkedAccountView[]> {
    return this.listOf(await this.em.find(LinkedAccount, { user: auth.userId }, { populate: ['item'], orderBy: { createdAt: 'asc', id: 'asc' } }));
  }

  async get(auth: AuthInfo, id: string): Promise<LinkedAccountView> {
    return this.listOf([await this.own(auth, id)])[0]!;
  }

  async syncNow(auth: AuthInfo, id: string): Promise<SyncResultView> {
    await this.deps.flags.require('linked-accounts', auth);
    const account = await this.own(auth, id);
    if (account.disconnected) throw badUserInput([{ field: 'id', message: 'the account is unlinked' }]);
    const item = account.item.getEntity();
    if (item.status === LinkStatus.LOGIN_REQUIRED) throw new DomainError('LINK_LOGIN_REQUIRED', 'The bank wants you to sign in again: relink the account');
    const counts = (await this.sync.syncItem(item.id)) ?? { added: 0, modified: 0, removed: 0 };
    return { linkedAccount: await this.get(auth, id), ...counts };
  }

  /** Stops syncing the account; the aggregator forgets the item once none of its accounts stays linked. */
  async unlink(auth: AuthInfo, id: string, deleteTransactions: boolean): Promise<LinkedAccountView> {
    const account = await this.own(auth, id);
    const item = account.item.getEntity();
    account.disconnected = true;
    account.updatedAt = this.deps.clock.now();
    if (deleteTransactions) await this.em.nativeDelete(LinkedTransaction, { account: account.id });
    await this.em.flush();
    const stillLinked = await this.em.count(LinkedAccount, { item: item.id, disconnected: false });
    const sealed = await this.sealedToken(item.id);
    if (stillLinked === 0 && sealed) {
      await this.removeAtAggregator(item.id, sealed);
      await this.em.nativeUpdate(LinkedItem, { id: item.id }, { accessTokenSealed: null });
    }
    const view = await this.get(auth, id);
    const payload: LinkedAccountEventPayload = { userId: auth.userId, kind: LinkedAccountEventKind.UNLINKED, account: linkedAccountData(account), sync: null };
    await this.deps.pubsub.publish(Topic.LINKED_ACCOUNT, auth.userId, payload);
    return view;
  }

  /** Transaction.linkedAccount: batched; the feed row is the caller's, so its account is too. */
  async ofTransaction(auth: AuthInfo, linkedAccountId: string): Promise<LinkedAccountView | null> {
    const account = await this.byId.load(linkedAccountId);
    return account && account.user.id === auth.userId ? this.listOf([account])[0]! : null;
  }

  watch(auth: AuthInfo): AsyncIterableIterator<LinkedAccountEventPayload> {
    return this.deps.pubsub.subscribe(Topic.LINKED_ACCOUNT, auth.userId);
  }

  /** The caller's linked account with its item; another user's id is NOT_FOUND like a missing one. */
  private async own(auth: AuthInfo, id: string): Promise<LinkedAccount> {
    const account = isUuid(id) ? await this.em.findOne(LinkedAccount, { id: id.toLowerCase(), user: auth.userId }, { populate: ['item'] }) : null;
    if (!account) throw notFound('Linked account');
    return account;
  }

  /**
   * Tells the aggregator to forget the item. One it no longer knows (an embedded sandbox that
   * restarted), or a token sealed under another LINK_TOKEN_KEY, cannot be told: unlinking still ends it here.
   */
  private async removeAtAggregator(itemId: string, sealed: string): Promise<void> {
    let token: string;
    try {
      token = this.runtime.cipher.open(sealed, itemId);
    } catch (error) {
      this.deps.logger.warn({ err: error, itemId }, 'unlink: the access token cannot be opened (another LINK_TOKEN_KEY); the aggregator is not told');
      return;
    }
    try {
      await this.runtime.aggregator.remove(token);
    } catch (error) {
      if (!(error instanceof AggregatorError && (error.kind === 'LOGIN_REQUIRED' || error.kind === 'INVALID_TOKEN'))) throw error;
    }
  }

  private async sealedToken(itemId: string): Promise<string | null> {
    const item = await this.em.findOne(LinkedItem, { id: itemId }, { fields: ['accessTokenSealed'], refresh: true });
    return item?.accessTokenSealed ?? null;
  }

  private listOf(accounts: LinkedAccount[]): LinkedAccountView[] {
    return accounts.map((a) => linkedAccountView(linkedAccountData(a)));
  }

  /** An aggregator call: its failures as the API's codes. */
  private async aggregate<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof AggregatorError)) throw error;
      if (error.kind === 'INVALID_TOKEN') throw badUserInput([{ field: 'publicToken', message: 'the aggregator does not know this token' }]);
      if (error.kind === 'LOGIN_REQUIRED') throw new DomainError('LINK_LOGIN_REQUIRED', 'The bank wants you to sign in again: relink the account');
      throw new DomainError('AGGREGATOR_UNAVAILABLE', 'The bank-data aggregator did not answer: try again in a moment');
    }
  }
}
