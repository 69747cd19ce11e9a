import { PipelineError } from './pipeline-error.ts';

/** Test support: the PipelineError code `run` throws ('other' for any other error, undefined if none). */
export function pipelineErrorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof PipelineError ? error.code : 'other';
  }
  return undefined;
}
