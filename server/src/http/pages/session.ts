import type Koa from 'koa';
import { issueSessionToken, verifySessionToken } from '../auth.ts';

/**
 * The browser session: after the login form accepts an API key, a short-lived signed token
 * (auth.ts) lives in an HttpOnly cookie. SameSite=Strict keeps it off cross-site requests, so a
 * page elsewhere cannot make the browser call Lungbridge with it; HttpOnly keeps it from scripts.
 */
export const sessionCookieName = 'lungbridge_session';

export interface SessionOptions {
  readonly secret: Uint8Array;
  readonly ttlSeconds: number;
}

export function readSession(ctx: Koa.Context, secret: Uint8Array): ReturnType<typeof verifySessionToken> {
  const token = ctx.cookies.get(sessionCookieName, { signed: false });
  return token ? verifySessionToken(secret, token) : undefined;
}

export function setSessionCookie(ctx: Koa.Context, options: SessionOptions, subject: string): void {
  const token = issueSessionToken(options.secret, subject, options.ttlSeconds);
  ctx.cookies.set(sessionCookieName, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    // Secure whenever the request came over TLS (directly or, with app.proxy, via the proxy).
    secure: ctx.secure,
    maxAge: options.ttlSeconds * 1000,
    signed: false,
    overwrite: true,
  });
}

export function clearSessionCookie(ctx: Koa.Context): void {
  ctx.cookies.set(sessionCookieName, '', {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: ctx.secure,
    maxAge: 0,
    signed: false,
    overwrite: true,
  });
}

/**
 * Where to go after logging in: a path on this site, or `/`. Anything that a browser could read
 * as another origin (`//evil.example`, `/\evil.example`, `https://…`, control characters) is
 * refused, so the login form cannot be used as an open redirect.
 */
export function safeNextPath(next: string | undefined, loginPath = '/login'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  const probe = 'http://lungbridge.invalid';
  let url: URL;
  try {
    url = new URL(next, probe);
  } catch {
    return '/';
  }
  if (url.origin !== probe || url.pathname === loginPath) return '/';
  return url.pathname + url.search + url.hash;
}

/**
 * For pages (`/`, the viewer's index.html): send a browser without a valid session to the login
 * form, with the way back in `next`. API and DICOMweb routes answer 401 instead (auth.ts).
 */
export function requirePageSession(options: { secret: Uint8Array; loginPath?: string }): Koa.Middleware {
  const loginPath = options.loginPath ?? '/login';
  return async function pageSession(ctx, next) {
    if (readSession(ctx, options.secret)) return next();
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(`${loginPath}?next=${encodeURIComponent(ctx.originalUrl)}`);
  };
}
