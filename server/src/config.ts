import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Routing rules: which studies Lungbridge analyses on its own. Data, not code (MONAI Deploy style). */
export const routingRulesSchema = z.object({
  modality: z.string().default('CT'),
  minSlices: z.number().int().positive().default(10),
  maxSliceThicknessMm: z.number().positive().default(5),
  seriesDescriptionPattern: z.string().optional(),
  bodyPartPattern: z.string().optional(),
});
export type RoutingRules = z.infer<typeof routingRulesSchema>;

const csv = z.string().transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean));
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const regexSource = z.string().refine((s) => {
  try { new RegExp(s, 'i'); return true; } catch { return false; }
}, 'not a valid regular expression');

const environmentSchema = z.object({
  LUNGBRIDGE_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LUNGBRIDGE_HOST: z.string().default('127.0.0.1'),
  /** Public base URL used in links (viewer URLs); unset = the origin each request came to. */
  LUNGBRIDGE_PUBLIC_URL: z.url().optional(),
  /** Behind a reverse proxy: believe its X-Forwarded-Proto/-Host/-For (Koa's app.proxy). */
  LUNGBRIDGE_TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  LUNGBRIDGE_API_KEYS: csv.pipe(z.array(z.string().min(16, 'each API key needs at least 16 characters')).min(1, 'at least one API key is required')),
  /** Secret that signs browser session tokens; defaults to one derived from the first API key. */
  LUNGBRIDGE_SESSION_SECRET: z.string().min(16).optional(),
  LUNGBRIDGE_SESSION_TTL_S: positiveInt(8 * 3600),
  LUNGBRIDGE_DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  ORTHANC_URL: z.url(),
  ORTHANC_USERNAME: z.string().optional(),
  ORTHANC_PASSWORD: z.string().optional(),
  /** Orthanc's DICOMweb root below ORTHANC_URL. */
  ORTHANC_DICOMWEB_ROOT: z.string().default('/dicom-web'),
  LUNGBRIDGE_WORKERS: positiveInt(1),
  LUNGBRIDGE_MAX_ATTEMPTS: positiveInt(5),
  LUNGBRIDGE_RETRY_BASE_MS: positiveInt(2000),
  /** How long a worker's claim on an analysis lasts without a heartbeat before another may take it. */
  LUNGBRIDGE_CLAIM_TTL_S: positiveInt(120),
  LUNGBRIDGE_POLL_MS: positiveInt(1000),
  LUNGBRIDGE_CHANGES_POLL_MS: positiveInt(2000),
  LUNGBRIDGE_AUTO_ROUTE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  LUNGBRIDGE_ROUTE_MODALITY: z.string().default('CT'),
  LUNGBRIDGE_ROUTE_MIN_SLICES: positiveInt(10),
  LUNGBRIDGE_ROUTE_MAX_SLICE_THICKNESS_MM: z.coerce.number().positive().default(5),
  LUNGBRIDGE_ROUTE_SERIES_DESCRIPTION: regexSource.optional(),
  LUNGBRIDGE_ROUTE_BODY_PART: regexSource.optional(),
  /** Which nodule detector analyses run with: the trained ONNX 'model' (default) or 'classical'. */
  LUNGBRIDGE_DETECTOR: z.enum(['classical', 'model']).default('model'),
  LUNGBRIDGE_MODEL_PATH: z.string().optional(),
  /** Threads of one analysis (onnxruntime and the detect stage's helper threads); default the host's cores. */
  LUNGBRIDGE_ANALYSIS_THREADS: z.coerce.number().int().positive().max(256).default(availableParallelism()),
  LUNGBRIDGE_MAX_BODY_BYTES: positiveInt(1024 * 1024),
  LUNGBRIDGE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

/** Every environment variable Lungbridge reads (the README's configuration table lists them). */
export const configVariables = Object.keys(environmentSchema.shape) as ReadonlyArray<keyof typeof environmentSchema.shape>;

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Base of the links Lungbridge hands out; undefined = the origin of the request. */
  readonly publicUrl?: string;
  /** A reverse proxy in front sets X-Forwarded-* (TLS ends there). */
  readonly trustProxy: boolean;
  readonly apiKeys: readonly string[];
  readonly sessionSecret: string;
  readonly sessionTtlSeconds: number;
  readonly dataDir: string;
  /** Undefined means the embedded PGlite database in `dataDir`. */
  readonly databaseUrl?: string;
  readonly orthanc: {
    readonly url: string;
    readonly dicomWebRoot: string;
    readonly username?: string;
    readonly password?: string;
  };
  readonly workers: {
    readonly concurrency: number;
    readonly maxAttempts: number;
    readonly retryBaseMs: number;
    readonly claimTtlSeconds: number;
    readonly pollMs: number;
  };
  readonly routing: {
    readonly enabled: boolean;
    readonly pollMs: number;
    readonly rules: RoutingRules;
  };
  readonly detector: { readonly kind: 'classical' | 'model'; readonly modelPath?: string; readonly threads: number };
  readonly maxBodyBytes: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the environment once at start. Errors name the variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const config: Config = {
    port: e.LUNGBRIDGE_PORT,
    host: e.LUNGBRIDGE_HOST,
    ...(e.LUNGBRIDGE_PUBLIC_URL ? { publicUrl: e.LUNGBRIDGE_PUBLIC_URL.replace(/\/$/, '') } : {}),
    trustProxy: e.LUNGBRIDGE_TRUST_PROXY,
    apiKeys: e.LUNGBRIDGE_API_KEYS,
    sessionSecret: e.LUNGBRIDGE_SESSION_SECRET ?? `session:${e.LUNGBRIDGE_API_KEYS[0]}`,
    sessionTtlSeconds: e.LUNGBRIDGE_SESSION_TTL_S,
    dataDir: e.LUNGBRIDGE_DATA_DIR,
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    orthanc: {
      url: e.ORTHANC_URL.replace(/\/$/, ''),
      dicomWebRoot: `/${e.ORTHANC_DICOMWEB_ROOT.replace(/^\/|\/$/g, '')}`,
      ...(e.ORTHANC_USERNAME ? { username: e.ORTHANC_USERNAME } : {}),
      ...(e.ORTHANC_PASSWORD ? { password: e.ORTHANC_PASSWORD } : {}),
    },
    workers: {
      concurrency: e.LUNGBRIDGE_WORKERS,
      maxAttempts: e.LUNGBRIDGE_MAX_ATTEMPTS,
      retryBaseMs: e.LUNGBRIDGE_RETRY_BASE_MS,
      claimTtlSeconds: e.LUNGBRIDGE_CLAIM_TTL_S,
      pollMs: e.LUNGBRIDGE_POLL_MS,
    },
    routing: {
      enabled: e.LUNGBRIDGE_AUTO_ROUTE,
      pollMs: e.LUNGBRIDGE_CHANGES_POLL_MS,
      rules: routingRulesSchema.parse({
        modality: e.LUNGBRIDGE_ROUTE_MODALITY,
        minSlices: e.LUNGBRIDGE_ROUTE_MIN_SLICES,
        maxSliceThicknessMm: e.LUNGBRIDGE_ROUTE_MAX_SLICE_THICKNESS_MM,
        seriesDescriptionPattern: e.LUNGBRIDGE_ROUTE_SERIES_DESCRIPTION,
        bodyPartPattern: e.LUNGBRIDGE_ROUTE_BODY_PART,
      }),
    },
    detector: { kind: e.LUNGBRIDGE_DETECTOR, ...(e.LUNGBRIDGE_MODEL_PATH ? { modelPath: e.LUNGBRIDGE_MODEL_PATH } : {}), threads: e.LUNGBRIDGE_ANALYSIS_THREADS },
    maxBodyBytes: e.LUNGBRIDGE_MAX_BODY_BYTES,
    logLevel: e.LUNGBRIDGE_LOG_LEVEL,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
