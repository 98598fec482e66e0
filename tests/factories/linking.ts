import { CompleteAccountLinkDocument, InstitutionsDocument, StartAccountLinkDocument, type LinkedAccountFieldsFragment } from '../generated/graphql.js';
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
