import { loadConfig } from '../../config.ts';
import { createDefaultEngine } from '../../engine.ts';
import { createLogger } from '../../logger.ts';
import { startService } from '../../service.ts';

export const summary = 'Run the Lungbridge server from the environment (production; see README "Configuration")';
export const usage = `Usage: lungbridge serve
  The server alone, against the PACS and database the environment names (ORTHANC_URL, DATABASE_URL
  and the rest of the README's "Configuration"); what docker-compose.yml runs. Stops on SIGINT/SIGTERM.`;

export async function run(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const engine = await createDefaultEngine({ detector: config.detector.kind, modelPath: config.detector.modelPath, threads: config.detector.threads });
  const service = await startService(config, engine, log);
  await untilSignal();
  log.info('shutting down');
  await service.stop();
  await engine.close();
  return 0;
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.once(signal, () => process.exit(130));
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
