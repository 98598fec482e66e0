import { randomBytes } from 'node:crypto';
import { RegisterDocument, type AuthPayloadFieldsFragment } from '../generated/graphql.js';
import type { Gateway } from '../helpers/server.js';

export interface TestUser extends AuthPayloadFieldsFragment {
  password: string;
  token: string;
}

/** Registers a fresh user (which also signs in) and returns its tokens. */
export async function registerUser(
  server: Gateway,
  overrides: { username?: string; email?: string | null; password?: string; userAgent?: string } = {},
): Promise<TestUser> {
  const suffix = randomBytes(4).toString('hex');
  const password = overrides.password ?? `password-${suffix}`;
  const data = await server.ok(
    RegisterDocument,
    {
      input: {
        username: overrides.username ?? `user_${suffix}`,
        email: overrides.email === undefined ? `user_${suffix}@example.com` : overrides.email,
        password,
      },
    },
    { headers: overrides.userAgent ? { 'user-agent': overrides.userAgent } : {} },
  );
  return { ...data.register, password, token: data.register.accessToken };
}
