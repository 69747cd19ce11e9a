import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { PacsClient } from '../dicomweb/client.ts';
import type { OrthancRest } from '../dicomweb/orthanc-rest.ts';
import type { Volume } from '../domain/volume.ts';
import type { Logger } from '../logger.ts';
import type { LungMask } from '../pipeline/lungs.ts';
import type { EncodeResults } from '../pipeline/encode.ts';
import type { BuildVolume } from '../pipeline/volume.ts';
import type { ServiceMetrics } from './metrics.ts';

/** What the HTTP layer needs from the rest of the service, passed down once at start. */
export interface HttpDeps {
  readonly config: Config;
  readonly database: Database;
  readonly pacs: PacsClient;
  readonly orthanc: OrthancRest;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** The lung mask of a scan (a reader's added nodule), made off the service's thread by the engine. */
  readonly lungs: (volume: Volume) => Promise<LungMask>;
  /** Stage 2 for an analysed study fetched again (a reader's added nodule, a completed review), the engine's. */
  readonly buildVolume: BuildVolume;
  /** A completed review's SR, SEG and PDF, encoded off the service's thread by the engine. */
  readonly encode: EncodeResults;
}
