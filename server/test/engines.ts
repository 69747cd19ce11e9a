import type { AnalysisEngine } from '../src/service.ts';

export interface EngineHooks {
  /** Awaited before the volume is analysed (after fetch and volume). */
  beforeAnalyze?(studyInstanceUid: string): Promise<void>;
  /** Awaited before results are stored. */
  beforePublish?(analysisId: string): Promise<void>;
  /** Called after results were stored. */
  published?(analysisId: string): void;
}

/** The real engine with pauses at stage boundaries, so tests can break the PACS or the database mid-analysis. */
export function hookedEngine(engine: AnalysisEngine, hooks: EngineHooks): AnalysisEngine {
  return {
    ...engine,
    analyze: async (volume, options) => {
      await hooks.beforeAnalyze?.(volume.source.studyInstanceUid);
      return engine.analyze(volume, options);
    },
    createPublisher: (pacs, database) => {
      const publish = engine.createPublisher(pacs, database);
      return async (input) => {
        await hooks.beforePublish?.(input.analysisId);
        const outputs = await publish(input);
        hooks.published?.(input.analysisId);
        return outputs;
      };
    },
  };
}
