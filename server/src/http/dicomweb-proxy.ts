import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import type Koa from 'koa';
import type { Logger } from '../logger.ts';
import { badRequest, methodNotAllowed } from './errors.ts';
import { rewriteStream } from './url-rewrite.ts';

export interface DicomWebProxyOptions {
  /** Orthanc's base URL (no trailing slash) and its DICOMweb root, e.g. '/dicom-web'. */
  readonly orthancUrl: string;
  readonly orthancRoot: string;
  readonly username?: string;
  readonly password?: string;
  /** Lungbridge's own mount point. */
  readonly mount: string;
  /** Base of the URLs Lungbridge hands out (LUNGBRIDGE_PUBLIC_URL); undefined = the request's origin. */
  readonly publicUrl?: string;
  readonly log: Logger;
}

/** Request headers worth passing on; the caller's Authorization (our bearer) never is. */
const forwardedRequestHeaders = ['accept', 'content-type', 'content-length', 'transfer-encoding', 'range', 'if-none-match', 'if-modified-since'];
const forwardedResponseHeaders = ['content-type', 'content-length', 'etag', 'last-modified', 'cache-control', 'content-range', 'accept-ranges'];
/** DICOMweb's methods: QIDO-RS and WADO-RS read, STOW-RS stores. Orthanc's REST API (DELETE, PUT) stays behind. */
const dicomWebMethods = ['GET', 'HEAD', 'POST'];
/**
 * What a DICOMweb path segment is made of: resource names, UIDs, frame lists and Orthanc's bulk-data
 * tags. Anything else (`..`, percent-encoding, backslashes) could lead Orthanc's web server out of
 * the DICOMweb root into its REST API, which Lungbridge's credentials may delete through.
 */
const dicomWebSegment = /^[A-Za-z0-9_,.-]*$/;

/**
 * `/dicom-web/*` in front of Orthanc, for OHIF and hospital systems: QIDO, WADO-RS (frames and bulk
 * data included) and STOW-RS, streamed both ways. The caller's Host goes through because Orthanc
 * builds RetrieveURL/BulkDataURI from it; JSON answers are also rewritten so that no URL points at
 * Orthanc itself.
 */
export function dicomWebProxy(options: DicomWebProxyOptions): Koa.Middleware {
  const target = new URL(options.orthancUrl);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const authorization = options.username
    ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`
    : undefined;
  const orthancBase = `${options.orthancUrl}${options.orthancRoot}`;

  return async function proxyDicomWeb(ctx) {
    if (!dicomWebMethods.includes(ctx.method)) {
      ctx.set('Allow', dicomWebMethods.join(', '));
      throw methodNotAllowed(`${ctx.method} is not a DICOMweb method (allowed: ${dicomWebMethods.join(', ')})`);
    }
    const suffix = ctx.path.slice(options.mount.length);
    if (suffix.split('/').some((segment) => !dicomWebSegment.test(segment) || segment === '.' || segment === '..')) {
      throw badRequest('Not a DICOMweb path: segments are names, UIDs and frame numbers', 'invalid_path');
    }
    const path = `${target.pathname.replace(/\/$/, '')}${options.orthancRoot}${suffix}${ctx.querystring ? `?${ctx.querystring}` : ''}`;
    const headers: Record<string, string> = { host: ctx.host };
    for (const name of forwardedRequestHeaders) {
      const value = ctx.get(name);
      if (value) headers[name] = value;
    }
    if (authorization) headers.authorization = authorization;

    const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = send({ hostname: target.hostname, port: target.port, method: ctx.method, path, headers, timeout: 120_000 }, resolve);
      outgoing.on('error', reject);
      outgoing.on('timeout', () => outgoing.destroy(new Error('PACS timed out')));
      if (ctx.method === 'POST') ctx.req.pipe(outgoing);
      else outgoing.end();
    }).catch((error: Error) => {
      // The path without its query: QIDO-RS queries carry patient names and IDs.
      options.log.warn('DICOMweb proxy: PACS unreachable', { path: suffix, error: error.message });
      return undefined;
    });
    if (!upstream) {
      ctx.status = 502;
      ctx.body = { error: 'pacs_unavailable', detail: 'The PACS did not answer' };
      return;
    }

    ctx.status = upstream.statusCode ?? 502;
    for (const name of forwardedResponseHeaders) {
      const value = upstream.headers[name];
      if (value !== undefined) ctx.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const isJson = /json/i.test(String(upstream.headers['content-type'] ?? ''));
    if (!isJson) {
      ctx.body = upstream;
      return;
    }
    ctx.remove('content-length');
    const publicBase = `${options.publicUrl ?? `${ctx.protocol}://${ctx.host}`}${options.mount}`;
    const body = rewriteStream([[orthancBase, publicBase], [`http://${ctx.host}${options.orthancRoot}`, publicBase]]);
    // A browser that cancels a frame request closes the stream early: not an error worth logging.
    pipeline(upstream, body).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') options.log.warn('DICOMweb proxy stream failed', { path: suffix, error: error.message });
    });
    ctx.body = body;
  };
}
