import { CompleteAccountLinkDocument, InstitutionsDocument, StartAccountLinkDocument, type LinkedAccountFieldsFragment } from '../generated/graphql.js';
import type { SandboxBankProcess } from '../helpers/sandbox-bank.js';
import type { Gateway } from '../helpers/server.js';

/**
 * Links a sandbox institution as a person would: startAccountLink, the consent page's Allow
 * (its redirect carries the public token), completeAccountLink. Works with whichever sandbox
 * the gateway talks to, the embedded one included, since it only follows the page's answer.
 */
export async function linkThroughConsent(server: Gateway, token: string, name = 'Sandbox Demo Bank'): Promise<LinkedAccountFieldsFragment[]> {
  const institutionId = (await server.ok(InstitutionsDocument, { search: name }, { token })).institutions.find((i) => i.name === name)!.id;
  const session = (await server.ok(StartAccountLinkDocument, { input: { institutionId, redirectUri: 'http://127.0.0.1:9/back' } }, { token })).startAccountLink;
  const allowed = await fetch(`${session.linkUrl}/allow`, { method: 'POST', redirect: 'manual' });
  const publicToken = new URL(allowed.headers.get('location')!).searchParams.get('public_token')!;
  return (await server.ok(CompleteAccountLinkDocument, { input: { linkSessionId: session.id, publicToken } }, { token })).completeAccountLink;
}

/**
 * Links a sandbox institution with the public token from the sandbox's test endpoint (the
 * consent page's, without the page), for tests that then drive the item at the sandbox by its id.
 */
export async function linkAtSandbox(
  server: Gateway,
  bank: Pick<SandboxBankProcess, 'post'>,
  token: string,
  name = 'Sandbox Demo Bank',
  /** Relinks this linked account (after LOGIN_REQUIRED) instead of linking a new one. */
  relinkAccountId?: string,
): Promise<{ account: LinkedAccountFieldsFragment; itemId: string }> {
  const institutionId = (await server.ok(InstitutionsDocument, { search: name }, { token })).institutions.find((i) => i.name === name)!.id;
  const input = { institutionId, redirectUri: 'http://127.0.0.1/back', ...(relinkAccountId ? { relinkAccountId } : {}) };
  const session = (await server.ok(StartAccountLinkDocument, { input }, { token })).startAccountLink;
  const { body } = await bank.post('/sandbox/public_token/create', { link_token: new URL(session.linkUrl).pathname.split('/').pop() });
  const [account] = (
    await server.ok(CompleteAccountLinkDocument, { input: { linkSessionId: session.id, publicToken: body.public_token as string } }, { token })
  ).completeAccountLink;
  return { account: account!, itemId: body.item_id as string };
}
