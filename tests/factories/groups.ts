import { CreateGroupDocument, GroupDocument, InviteToGroupDocument, RespondToInvitationDocument } from '../generated/graphql.js';
import type { Gateway } from '../helpers/server.js';
import type { TestUser } from './users.js';

/** A group of `owner` and `others` (each invited and accepted), in `currency`; returns its id. */
export async function groupOf(server: Gateway, owner: TestUser, others: TestUser[], currency = 'USD', name = 'Flat'): Promise<string> {
  const id = (await server.ok(CreateGroupDocument, { input: { name, currency } }, { token: owner.token })).createGroup.id;
  for (const user of others) {
    const invitation = (await server.ok(InviteToGroupDocument, { groupId: id, username: user.user.username }, { token: owner.token })).inviteToGroup;
    await server.ok(RespondToInvitationDocument, { id: invitation.id, accept: true }, { token: user.token });
  }
  return id;
}

/** Each member's balance in minor units, by user id, as `viewer` reads the group. */
export async function balancesOf(server: Gateway, viewer: TestUser, groupId: string): Promise<Map<string, bigint>> {
  const group = (await server.ok(GroupDocument, { id: groupId }, { token: viewer.token })).group;
  return new Map(group.balances.map((b) => [b.user.id, BigInt(b.balance.minor)]));
}
