import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { keyActor, verifySessionToken } from '../auth.ts';
import { loginRouter } from './login-routes.ts';
import { requirePageSession, sessionCookieName } from './session.ts';

const apiKey = 'test-api-key-0123456789abcdef';
const secret = new TextEncoder().encode('test-session-secret-0123456789');
let server: http.Server;
let base: string;

beforeAll(async () => {
  const app = new Koa();
  const router = loginRouter({ apiKeys: [apiKey], secret, ttlSeconds: 600 });
  app.use(router.routes());
  app.use(requirePageSession({ secret }));
  app.use((ctx) => {
    ctx.body = 'the reading room';
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function postLogin(fields: Record<string, string>, init: RequestInit = {}) {
  return fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    ...init,
  });
}

/** The session cookie from a response, as name=value, with its attributes. */
function sessionCookie(response: Response): { pair: string; value: string; attributes: string[] } | undefined {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${sessionCookieName}=`));
  if (!header) return undefined;
  const [pair, ...attributes] = header.split(';').map((part) => part.trim());
  return { pair, value: pair.slice(sessionCookieName.length + 1), attributes: attributes.map((a) => a.toLowerCase()) };
}

describe('GET /login', () => {
  it('shows the form with the way back, as a page that is not cached', async () => {
    const response = await fetch(`${base}/login?next=${encodeURIComponent('/viewer/viewer?StudyInstanceUIDs=1.2.3')}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).toContain('<form class="login" method="post" action="/login">');
    expect(page).toContain('name="apiKey" type="password"');
    expect(page).toContain('name="next" value="/viewer/viewer?StudyInstanceUIDs=1.2.3"');
  });

  it('does not carry a foreign next into the form', async () => {
    const page = await (await fetch(`${base}/login?next=${encodeURIComponent('//evil.example/"><script>')}`)).text();
    expect(page).toContain('name="next" value="/"');
    expect(page).not.toContain('evil');
  });
});

describe('POST /login', () => {
  it('with a valid key: sets an HttpOnly, SameSite=Strict session cookie and goes to next', async () => {
    const response = await postLogin({ apiKey, next: '/viewer/viewer?StudyInstanceUIDs=1.2.3' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/viewer/viewer?StudyInstanceUIDs=1.2.3');
    const cookie = sessionCookie(response);
    expect(cookie?.attributes).toEqual(expect.arrayContaining(['path=/', 'samesite=strict', 'httponly']));
    // Plain HTTP here: a Secure cookie would never come back.
    expect(cookie?.attributes).not.toContain('secure');
    const session = verifySessionToken(secret, decodeURIComponent(cookie!.value));
    expect(session?.subject).toBe(keyActor(apiKey));
    // ttlSeconds 600: expires in about ten minutes.
    expect(session!.expiresAt).toBeGreaterThan(Date.now() + 590_000);
    expect(session!.expiresAt).toBeLessThan(Date.now() + 610_000);
    expect(cookie!.value).not.toContain(apiKey);
  });

  it('with a wrong key: 401, the form again with the reason, no cookie', async () => {
    const response = await postLogin({ apiKey: 'not-the-key-0123456789abcdef', next: '/viewer/' });
    expect(response.status).toBe(401);
    expect(sessionCookie(response)).toBeUndefined();
    const page = await response.text();
    expect(page).toContain('That API key is not valid.');
    expect(page).toContain('name="next" value="/viewer/"');
  });

  test.each(['https://evil.example/', '//evil.example/x', '/\\evil.example'])('never redirects off site (next=%s)', async (next) => {
    const response = await postLogin({ apiKey, next });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
  });

  it('refuses what is not a form', async () => {
    const response = await postLogin({}, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey }) });
    expect(response.status).toBe(415);
  });

  it('refuses an oversized form', async () => {
    const response = await postLogin({ apiKey, next: `/${'x'.repeat(10_000)}` });
    expect(response.status).toBe(413);
    expect(sessionCookie(response)).toBeUndefined();
  });
});

describe('pages behind the session', () => {
  it('redirect to the login form without a session, and open with one', async () => {
    const anonymous = await fetch(`${base}/?page=2`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/?page=2')}`);

    const cookie = sessionCookie(await postLogin({ apiKey, next: '/' }))!;
    const signedIn = await fetch(`${base}/`, { headers: { cookie: cookie.pair }, redirect: 'manual' });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toBe('the reading room');
  });

  it('treat a tampered token as no session', async () => {
    const cookie = sessionCookie(await postLogin({ apiKey, next: '/' }))!;
    const tampered = `${cookie.pair.slice(0, -2)}${cookie.pair.endsWith('A') ? 'B' : 'A'}x`;
    const response = await fetch(`${base}/`, { headers: { cookie: tampered }, redirect: 'manual' });
    expect(response.status).toBe(302);
  });
});

it('POST /logout clears the cookie and returns to the form', async () => {
  const response = await fetch(`${base}/logout`, { method: 'POST', redirect: 'manual' });
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe('/login');
  const cleared = sessionCookie(response);
  expect(cleared?.value).toBe('');
  expect(cleared?.attributes.some((attribute) => attribute.startsWith('expires=thu, 01 jan 1970'))).toBe(true);
});
