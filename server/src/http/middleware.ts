import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './errors.ts';

export function requestId(): Koa.Middleware {
  return async function assignRequestId(ctx, next) {
    const given = ctx.get('x-request-id');
    ctx.state.requestId = /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    await next();
  };
}

/** Headers every response carries. Pages and the viewer add their own Content-Security-Policy. */
export function securityHeaders(): Koa.Middleware {
  return async function setSecurityHeaders(ctx, next) {
    ctx.set({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'SAMEORIGIN',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    await next();
  };
}

/**
 * The request body if it is at most `limit` bytes, else undefined. Reads to the end either way
 * (keeping nothing past the limit): leaving the stream early destroys the socket, and the client
 * sees a reset instead of the 413.
 */
export async function readBodyUpTo(ctx: Koa.Context, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size <= limit ? Buffer.concat(chunks) : undefined;
}

/** Reads a JSON request body of at most `limit` bytes; 413 beyond, 400 if it is not JSON. */
export async function readJsonBody(ctx: Koa.Context, limit: number): Promise<unknown> {
  const length = Number(ctx.get('content-length') || 0);
  if (length > limit) throw payloadTooLarge(`Request body is ${length} bytes; the limit is ${limit}`);
  if (length === 0 && !ctx.get('transfer-encoding')) return {};
  if (!ctx.is('application/json')) throw unsupportedMediaType('Send the body as application/json');
  const body = await readBodyUpTo(ctx, limit);
  if (!body) throw payloadTooLarge(`Request body exceeds ${limit} bytes`);
  const text = body.toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`Malformed JSON: ${(error as Error).message}`, 'malformed_json');
  }
}
