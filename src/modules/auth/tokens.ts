import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../../config/config.js';
import { DomainError } from '../../shared/errors.js';
import { Role } from './user.entity.js';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  role: Role;
}

/**
 * The secret as a KeyObject, made once per config: given a string, jsonwebtoken first tries
 * it as a PEM public key and catches the failure on every call, which cost ~0.4 ms a request.
 */
const keys = new WeakMap<Config['jwt'], KeyObject>();
function secretKey(jwtConfig: Config['jwt']): KeyObject {
  let key = keys.get(jwtConfig);
  if (!key) keys.set(jwtConfig, (key = createSecretKey(Buffer.from(jwtConfig.secret, 'utf8'))));
  return key;
}

export function signAccessToken(jwtConfig: Config['jwt'], claims: AccessClaims, now: Date): { token: string; expiresAt: Date } {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + jwtConfig.accessTtlSec;
  const token = jwt.sign({ sid: claims.sessionId, role: claims.role, iat, exp }, secretKey(jwtConfig), {
    algorithm: 'HS256',
    subject: claims.userId,
    issuer: jwtConfig.issuer,
    audience: jwtConfig.audience,
  });
  return { token, expiresAt: new Date(exp * 1000) };
}

/**
 * Tokens this process has verified, until they expire: the same bytes verify the same way,
 * so only the clock is checked again (HMAC and JSON parsing cost ~0.1 ms a request).
 * Bounded: past VERIFIED_MAX the entries verified longest ago go first.
 */
const verified = new WeakMap<Config['jwt'], Map<string, { claims: AccessClaims; expMs: number }>>();
const VERIFIED_MAX = 10_000;

/** Pins HS256 (no `none`, no RS/HS confusion) and checks issuer, audience and expiry. */
export function verifyAccessToken(jwtConfig: Config['jwt'], token: string, now: Date): AccessClaims {
  let known = verified.get(jwtConfig);
  if (!known) verified.set(jwtConfig, (known = new Map()));
  const hit = known.get(token);
  if (hit) {
    // jsonwebtoken's rule: expired once the clock (in whole seconds) reaches exp.
    if (Math.floor(now.getTime() / 1000) * 1000 < hit.expMs) return hit.claims;
    known.delete(token);
    throw new AccessTokenExpiredError();
  }
  const claims = verifyOnce(jwtConfig, token, now);
  known.set(token, claims);
  if (known.size > VERIFIED_MAX) known.delete(known.keys().next().value as string);
  return claims.claims;
}

/** A well-signed access token past its expiry: the client should refresh, not sign in again (sockets close 4401, not 4403). */
export class AccessTokenExpiredError extends DomainError {
  constructor() {
    super('UNAUTHENTICATED', 'Access token expired: refresh the session or sign in again');
  }
}

function verifyOnce(jwtConfig: Config['jwt'], token: string, now: Date): { claims: AccessClaims; expMs: number } {
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(token, secretKey(jwtConfig), {
      algorithms: ['HS256'],
      issuer: jwtConfig.issuer,
      audience: jwtConfig.audience,
      clockTimestamp: Math.floor(now.getTime() / 1000),
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw new AccessTokenExpiredError();
    throw new DomainError('UNAUTHENTICATED', 'Access token is not valid: sign in again');
  }
  const role = typeof payload === 'object' ? payload.role : undefined;
  if (
    typeof payload !== 'object' ||
    typeof payload.sub !== 'string' ||
    typeof payload.sid !== 'string' ||
    typeof payload.exp !== 'number' ||
    (role !== Role.CUSTOMER && role !== Role.OPERATOR)
  ) {
    throw new DomainError('UNAUTHENTICATED', 'Access token is not valid: sign in again');
  }
  return { claims: { userId: payload.sub, sessionId: payload.sid, role }, expMs: payload.exp * 1000 };
}

/** The user an Authorization header's token names, if it verifies (the session is not checked here); else undefined. */
export function claimedUserId(jwtConfig: Config['jwt'], authorization: unknown, now: Date): string | undefined {
  const token = bearerToken(authorization);
  if (!token) return undefined;
  try {
    return verifyAccessToken(jwtConfig, token, now).userId;
  } catch {
    return undefined;
  }
}

export function newRefreshToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

/**
 * The refresh token a rotation of `token` issues: derived, not random, so that within the grace
 * interval any instance can hand the same one again to a racing refresh while only hashes are stored.
 * Unguessable without both the old token and the server secret.
 */
export function successorRefreshToken(jwtConfig: Config['jwt'], token: string): string {
  return `rt_${createHmac('sha256', secretKey(jwtConfig)).update(`refresh-successor:${token}`).digest('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** "Bearer xyz" -> "xyz"; anything else -> undefined. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** When an access token that `verifyAccessToken` accepted expires (read without verifying again). */
export function accessTokenExpiresAt(token: string): Date | undefined {
  const payload = jwt.decode(token);
  return typeof payload === 'object' && payload !== null && typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : undefined;
}
