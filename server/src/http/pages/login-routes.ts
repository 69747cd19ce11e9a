import Router from '@koa/router';
import type Koa from 'koa';
import { isValidApiKey, keyActor } from '../auth.ts';
import { readBodyUpTo } from '../middleware.ts';
import { pageHeaders } from './html.ts';
import { renderLoginPage } from './login-page.ts';
import { clearSessionCookie, safeNextPath, setSessionCookie, type SessionOptions } from './session.ts';

export interface LoginRoutesOptions extends SessionOptions {
  readonly apiKeys: readonly string[];
}

/** A login form holds two short fields; anything bigger is not one. */
const maxFormBytes = 8 * 1024;

/**
 * `GET /login` (the form), `POST /login` (form-encoded `apiKey`, `next`: sets the session cookie
 * and redirects to `next`, a same-site path) and `POST /logout` (clears it, back to the form).
 */
export function loginRouter(options: LoginRoutesOptions): Router {
  const router = new Router();

  router.get('/login', (ctx) => {
    sendPage(ctx, 200, renderLoginPage({ next: safeNextPath(queryValue(ctx.query.next)) }));
  });

  router.post('/login', async (ctx) => {
    const form = await readForm(ctx);
    if (!form) return;
    const next = safeNextPath(form.get('next') ?? undefined);
    const apiKey = form.get('apiKey') ?? '';
    if (!isValidApiKey(options.apiKeys, apiKey)) {
      sendPage(ctx, 401, renderLoginPage({ next, error: 'That API key is not valid.' }));
      return;
    }
    // The subject names the key without holding it, as in the API's audit log.
    setSessionCookie(ctx, options, keyActor(apiKey));
    // 303: the browser follows with a GET, so reloading the next page does not resend the form.
    ctx.status = 303;
    ctx.redirect(next);
  });

  router.post('/logout', (ctx) => {
    clearSessionCookie(ctx);
    ctx.status = 303;
    ctx.redirect('/login');
  });

  return router;
}

export function sendPage(ctx: Koa.Context, status: number, body: string): void {
  ctx.status = status;
  ctx.set(pageHeaders);
  ctx.body = body;
}

function queryValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The url-encoded body, or undefined after answering 415/413 for anything else. */
async function readForm(ctx: Koa.Context): Promise<URLSearchParams | undefined> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    ctx.status = 415;
    ctx.body = 'expected application/x-www-form-urlencoded';
    return undefined;
  }
  if (Number(ctx.get('Content-Length') || 0) > maxFormBytes) {
    ctx.status = 413;
    ctx.body = 'form too large';
    return undefined;
  }
  const body = await readBodyUpTo(ctx, maxFormBytes);
  if (!body) {
    ctx.status = 413;
    ctx.body = 'form too large';
    return undefined;
  }
  return new URLSearchParams(body.toString('utf8'));
}
