import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { renderAppConfigJs } from '../../../viewer/src/app-config.ts';
import { requireAuth } from './auth.ts';
import { dicomWebProxy } from './dicomweb-proxy.ts';
import type { HttpDeps } from './deps.ts';
import { errorHandler } from './errors.ts';
import { requestId, securityHeaders } from './middleware.ts';
import { loginRouter } from './pages/login-routes.ts';
import { readSession, sessionCookieName } from './pages/session.ts';
import { analysesRouter } from './routes/analyses.ts';
import { homeRouter } from './routes/home.ts';
import { operationsRouter, publicOperationsRouter } from './routes/operations.ts';
import { reportsRouter } from './routes/reports.ts';
import { reviewRouter } from './routes/review.ts';
import { siteRouter } from './routes/site.ts';
import { viewerMiddleware } from './viewer.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where viewer/scripts/fetch-ohif.sh leaves the OHIF dist prepared for /viewer/. */
export const defaultViewerDistDir = path.join(repoRoot, 'viewer', 'ohif', 'www');

/**
 * The HTTP face of Lungbridge, in order: request id, security headers, JSON errors; then the
 * public routes (health, login, the viewer's static files); then everything that needs a key or
 * a session (pages, REST API, metrics, DICOMweb).
 */
export function createApp(deps: HttpDeps, options: { viewerDistDir?: string } = {}): Koa {
  // Behind a TLS-terminating reverse proxy (LUNGBRIDGE_TRUST_PROXY), its X-Forwarded-Proto and -For
  // say what the client used: session cookies are then Secure, and logs name the client.
  const app = new Koa({ proxy: deps.config.trustProxy });
  const sessionSecret = Buffer.from(deps.config.sessionSecret, 'utf8');
  const session = { secret: sessionSecret, ttlSeconds: deps.config.sessionTtlSeconds };
  const viewerDistDir = options.viewerDistDir ?? defaultViewerDistDir;

  app.use(requestId());
  app.use(securityHeaders());
  app.use(errorHandler(deps.log));

  const publicOps = publicOperationsRouter(deps);
  app.use(publicOps.routes()).use(publicOps.allowedMethods());
  const login = loginRouter({ ...session, apiKeys: deps.config.apiKeys });
  app.use(login.routes()).use(login.allowedMethods());
  const home = homeRouter(deps, sessionSecret);
  app.use(home.routes());
  if (existsSync(path.join(viewerDistDir, 'index.html'))) {
    app.use(viewerMiddleware({
      distDir: viewerDistDir,
      appConfigJs: renderAppConfigJs(),
      hasSession: (ctx) => readSession(ctx, sessionSecret) !== undefined,
    }));
  } else {
    deps.log.warn('OHIF viewer not prepared; /viewer/ is unavailable (run viewer/scripts/fetch-ohif.sh)', { viewerDistDir });
  }

  app.use(requireAuth({ apiKeys: deps.config.apiKeys, sessionSecret, sessionCookie: sessionCookieName }));
  const api = analysesRouter(deps);
  app.use(api.routes()).use(api.allowedMethods());
  for (const router of [reportsRouter(deps), reviewRouter(deps), siteRouter(deps)]) app.use(router.routes()).use(router.allowedMethods());
  const ops = operationsRouter(deps);
  app.use(ops.routes()).use(ops.allowedMethods());
  const proxy = dicomWebProxy({
    orthancUrl: deps.config.orthanc.url,
    orthancRoot: deps.config.orthanc.dicomWebRoot,
    username: deps.config.orthanc.username,
    password: deps.config.orthanc.password,
    mount: '/dicom-web',
    ...(deps.config.publicUrl ? { publicUrl: deps.config.publicUrl } : {}),
    log: deps.log,
  });
  app.use(async (ctx, next) => (ctx.path === '/dicom-web' || ctx.path.startsWith('/dicom-web/') ? proxy(ctx, next) : next()));
  return app;
}
