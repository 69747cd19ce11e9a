import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import { unauthorized } from './errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Constant-time check of a bearer key against the configured keys. Both sides are hashed first
 * so that the comparison takes the same time whatever the lengths, and every key is compared.
 */
export function isValidApiKey(keys: readonly string[], candidate: string): boolean {
  const probe = digest(candidate);
  let match = false;
  for (const key of keys) match = timingSafeEqual(digest(key), probe) || match;
  return match && candidate.length > 0;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** `<payload>.<HMAC-SHA256>`: a stateless session token that names its subject and expiry. */
export function issueSessionToken(secret: Uint8Array, subject: string, ttlSeconds: number): string {
  const payload = base64url(JSON.stringify({ sub: subject, exp: Math.floor(Date.now() / 1000) + ttlSeconds }));
  const signature = createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${signature}`;
}

export function verifySessionToken(secret: Uint8Array, token: string): { subject: string; expiresAt: number } | undefined {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const { sub, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || typeof exp !== 'number' || exp * 1000 <= Date.now()) return undefined;
    return { subject: sub, expiresAt: exp * 1000 };
  } catch {
    return undefined;
  }
}

/** Who made a request, for the audit log: never the key itself. */
export function keyActor(apiKey: string): string {
  return `api-key:${digest(apiKey).toString('hex').slice(0, 12)}`;
}

export interface AuthOptions {
  readonly apiKeys: readonly string[];
  readonly sessionSecret: Uint8Array;
  readonly sessionCookie: string;
}

/**
 * Accepts `Authorization: Bearer <api key>` (systems), `Bearer <session token>` or the session
 * cookie (the browser after /login). Sets `ctx.state.actor`. Anything else is 401.
 */
export function requireAuth(options: AuthOptions): Koa.Middleware {
  return async function authenticate(ctx, next) {
    const header = ctx.get('authorization');
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (bearer && isValidApiKey(options.apiKeys, bearer)) {
      ctx.state.actor = keyActor(bearer);
      return next();
    }
    const token = bearer ?? ctx.cookies.get(options.sessionCookie);
    const session = token ? verifySessionToken(options.sessionSecret, token) : undefined;
    if (session) {
      ctx.state.actor = session.subject;
      return next();
    }
    ctx.set('WWW-Authenticate', 'Bearer realm="lungbridge"');
    throw unauthorized(header ? 'The API key or session is not valid' : 'Authorization: Bearer <API key> is required');
  };
}
