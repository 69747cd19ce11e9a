import type Koa from 'koa';
import type { Logger } from '../logger.ts';

/** An error meant for the client: HTTP status, a stable machine code, and whether `detail` may be shown. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(readonly status: number, readonly code: string, message: string, readonly expose = true) {
    super(message);
  }
}

export const badRequest = (detail: string, code = 'bad_request') => new AppError(400, code, detail);
export const unauthorized = (detail: string) => new AppError(401, 'unauthorized', detail);
export const notFound = (detail: string) => new AppError(404, 'not_found', detail);
export const methodNotAllowed = (detail: string) => new AppError(405, 'method_not_allowed', detail);
export const conflict = (detail: string) => new AppError(409, 'conflict', detail);
export const payloadTooLarge = (detail: string) => new AppError(413, 'payload_too_large', detail);
export const unsupportedMediaType = (detail: string) => new AppError(415, 'unsupported_media_type', detail);
export const badGateway = (detail: string) => new AppError(502, 'pacs_unavailable', detail);

/**
 * Turns every error into `{ error, detail }` JSON. AppErrors say what went wrong; anything else
 * is logged with the request id and answered with a generic 500, never its internals.
 */
export function errorHandler(log: Logger): Koa.Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
      // The routers' allowedMethods() answers 405 with no body; give it the same JSON as every other error.
      if (ctx.status === 405 && ctx.body == null) throw methodNotAllowed(`${ctx.method} is not allowed on ${ctx.path} (allowed: ${ctx.response.get('Allow')})`);
      if (ctx.status === 404 && ctx.body === undefined) throw notFound(`No route for ${ctx.method} ${ctx.path}`);
    } catch (error) {
      const known = error instanceof AppError ? error : undefined;
      if (!known) log.error('request failed', { requestId: ctx.state.requestId, path: ctx.path, error: error instanceof Error ? error.stack : String(error) });
      ctx.status = known?.status ?? 500;
      ctx.type = 'application/json';
      ctx.body = {
        error: known?.code ?? 'internal_error',
        detail: known?.expose ? known.message : `Internal error (request ${String(ctx.state.requestId)})`,
      };
    }
  };
}
