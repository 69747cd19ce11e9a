import { Worker } from 'node:worker_threads';
import type { CtSlice } from '../dicom/ct-slice.ts';
import type { ModelInfo } from '../domain/analysis.ts';
import type { Volume } from '../domain/volume.ts';
import type { InstanceUids } from '../dicom/uids.ts';
import type { DetectorOptions } from '../pipeline/create-detector.ts';
import { encodedKinds, type EncodedObject, type EncodeResults, type ResultsToEncode } from '../pipeline/encode.ts';
import { freshResultUids } from '../pipeline/result-uids.ts';
import { PipelineError, type PipelineErrorCode } from '../errors/pipeline-error.ts';
import type { AnalysisStage, VolumeAnalysis } from '../pipeline/analyze-volume.ts';
import type { LungMask } from '../pipeline/lungs.ts';
import type { BuildVolume, BuiltVolume } from '../pipeline/volume.ts';
import type { LungSurface } from '../priors/register.ts';

/**
 * The service's analyses (lungs to measurements) on a thread of their own. On the service's
 * thread a 320-slice analysis held the event loop for up to 6 s at a time (the lung mask, the
 * blob filter's own share, the segmentations), and with it every API call, the viewer's DICOMweb
 * requests and /health, whose probe gives up after 5 s. The detector is made once, on that thread;
 * analyses that run at once (LUNGBRIDGE_WORKERS > 1) share it, as they shared it before. The
 * volume is stacked from the fetched slices there (0.5-1.7 s), and the lung masks and surfaces that
 * a comparison with a prior and a reader's added nodule need (1-2 s each) are made there too, and
 * the SR, SEG and report PDF of a run or of a completed review encoded (0.3-0.5 s for five nodules
 * on a 320-slice series).
 */
export interface AnalysisThread {
  readonly model: ModelInfo;
  analyze(volume: Volume, options: { onStage?: (stage: AnalysisStage, ms: number) => void; runKey?: string }): Promise<VolumeAnalysis>;
  lungs(volume: Volume): Promise<LungMask>;
  /** The surface of the lungs' mask, which a comparison with a prior registers. */
  lungSurface(volume: Volume): Promise<LungSurface>;
  /** `buildVolume` of the slices; their pixels are handed over to the thread, so the caller cannot read them after. */
  buildVolume: BuildVolume;
  encode: EncodeResults;
  /** Stops the thread; a later `analyze` starts it again. */
  close(): Promise<void>;
}

export type AnalysisRequest =
  | { readonly kind: 'analyze'; readonly id: number; readonly volume: Volume; readonly runKey?: string }
  | { readonly kind: 'lungs'; readonly id: number; readonly volume: Volume }
  | { readonly kind: 'lung-surface'; readonly id: number; readonly volume: Volume }
  | { readonly kind: 'volume'; readonly id: number; readonly slices: readonly CtSlice[] }
  | { readonly kind: 'encode'; readonly id: number; readonly results: SentResults };

/** Results to encode as they cross: the UIDs each object is to get, instead of what makes them. */
export type SentResults = Omit<ResultsToEncode, 'uids'> & { readonly instanceUids: Readonly<Record<EncodedObject['kind'], InstanceUids>> };
export type AnalysisMessage =
  | { readonly kind: 'ready'; readonly model: ModelInfo }
  | { readonly kind: 'start-failed'; readonly error: SentError }
  | { readonly kind: 'stage'; readonly id: number; readonly stage: AnalysisStage; readonly ms: number }
  | { readonly kind: 'done'; readonly id: number; readonly result: VolumeAnalysis | LungMask | LungSurface | BuiltVolume | EncodedObject[] }
  | { readonly kind: 'failed'; readonly id: number; readonly error: SentError };

/** An error as it crosses threads; a PipelineError keeps its code and whether it is worth a retry. */
export interface SentError {
  readonly message: string;
  readonly stack?: string;
  readonly pipeline?: { readonly code: PipelineErrorCode; readonly transient: boolean };
}

export function sendableError(error: unknown): SentError {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    message: e.message,
    ...(e.stack ? { stack: e.stack } : {}),
    ...(e instanceof PipelineError ? { pipeline: { code: e.code, transient: e.transient } } : {}),
  };
}

export function receivedError(sent: SentError): Error {
  const error = sent.pipeline ? new PipelineError(sent.pipeline.code, sent.message, sent.pipeline.transient) : new Error(`analysis thread: ${sent.message}`);
  if (sent.stack) error.stack = sent.stack;
  return error;
}

/**
 * What crosses to the thread of a volume: the voxels are not transferred, as the caller keeps the
 * volume (buildVolume puts them on shared memory, so nothing is copied either; a volume made
 * elsewhere, such as a phantom, is copied). The patient's attributes stay here: the thread's
 * analyses read none, and dcmjs's person names (arrays with methods) cannot be cloned; `encode`,
 * which copies them into the results, sends them as plain data (`plainAttributes`).
 */
const withoutPatient = (volume: Volume): Volume => ({ ...volume, source: { ...volume.source, patientStudy: {} } });
/**
 * The patient's attributes as plain data, which the encoded objects copy: a person name becomes the
 * `{ Alphabetic, Ideographic, Phonetic }` objects that dcmjs writes as it writes its own.
 */
const plainAttributes = (attributes: Readonly<Record<string, unknown>>): Record<string, unknown> => JSON.parse(JSON.stringify(attributes));

/**
 * Buffers handed over instead of copied (the pixels of 320 slices of 512 x 512 are 170 MB, a SEG
 * of five nodules 1.5 MB): each once, and only those the array fills at least half of (a received
 * instance's own bytes, an encoded file's), never a pooled buffer that small values elsewhere
 * share. The others are copied.
 */
export function ownBuffers(arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const own = arrays.flatMap(({ buffer, byteLength }) => (buffer instanceof ArrayBuffer && byteLength >= buffer.byteLength / 2 ? [buffer] : []));
  return [...new Set(own)];
}

const entry = new URL('./analysis-thread-entry.ts', import.meta.url).href;
const boot = new URL('./thread-boot.mjs', import.meta.url);

interface Pending {
  readonly onStage?: (stage: AnalysisStage, ms: number) => void;
  readonly resolve: (result: never) => void;
  readonly reject: (error: Error) => void;
}

/** A started thread: when its detector is made, and the requests it holds. */
interface Running {
  readonly worker: Worker;
  readonly ready: Promise<ModelInfo>;
  readonly pending: Map<number, Pending>;
  exited?: Error;
}

/** Starts the thread and waits until its detector is made (a model file that does not load fails here). */
export async function startAnalysisThread(detector: DetectorOptions = {}): Promise<AnalysisThread> {
  let nextId = 0;
  let running: Running | undefined;

  const start = (): Running => {
    const worker = new Worker(boot, { workerData: { entry, detector } });
    let ready!: (model: ModelInfo) => void;
    let failed!: (error: Error) => void;
    const started: Running = { worker, ready: new Promise<ModelInfo>((resolve, reject) => { ready = resolve; failed = reject; }), pending: new Map() };
    // Awaited by `ask`; a thread that dies while nobody waits must not be an unhandled rejection.
    started.ready.catch(() => undefined);
    const { pending } = started;
    const failAll = (error: Error) => {
      failed(error);
      for (const { reject } of pending.values()) reject(error);
      pending.clear();
    };
    worker.on('message', (message: AnalysisMessage) => {
      if (message.kind === 'ready') {
        if (pending.size === 0) worker.unref();
        ready(message.model);
        return;
      }
      if (message.kind === 'start-failed') { failed(receivedError(message.error)); return; }
      const waiting = pending.get(message.id);
      if (!waiting) return;
      if (message.kind === 'stage') { waiting.onStage?.(message.stage, message.ms); return; }
      pending.delete(message.id);
      if (pending.size === 0) worker.unref();
      if (message.kind === 'done') waiting.resolve(message.result as never);
      else waiting.reject(receivedError(message.error));
    });
    worker.on('error', failAll);
    // A thread that exits (out of memory, say) fails what it held; the next request starts another.
    worker.on('exit', (code) => {
      if (running === started) running = undefined;
      started.exited = new Error(`analysis thread exited with code ${code}`);
      failAll(started.exited);
    });
    // Held (keeping the process alive) while it starts and while it works; an idle thread is not.
    return started;
  };

  /** Sends a request and waits for its result (with the analysis's stages on the way). */
  const ask = async <T>(request: (id: number) => AnalysisRequest, onStage?: Pending['onStage'], transfer: readonly ArrayBuffer[] = []): Promise<T> => {
    const thread = running ??= start();
    await thread.ready;
    // It may have stopped while this waited: what is sent to an exited thread is never answered.
    if (thread.exited) throw thread.exited;
    return new Promise<T>((resolve, reject) => {
      const id = nextId++;
      thread.pending.set(id, { onStage, resolve, reject });
      thread.worker.ref();
      try {
        thread.worker.postMessage(request(id), [...transfer]);
      } catch (error) {
        // Not sendable (a buffer already handed over elsewhere): nothing is waited for.
        thread.pending.delete(id);
        if (thread.pending.size === 0) thread.worker.unref();
        throw error;
      }
    });
  };

  running = start();
  const model = await running.ready;
  return {
    model,
    analyze: (volume, { onStage, runKey }) => ask<VolumeAnalysis>((id) => ({ kind: 'analyze', id, volume: withoutPatient(volume), ...(runKey ? { runKey } : {}) }), onStage),
    lungs: (volume) => ask<LungMask>((id) => ({ kind: 'lungs', id, volume: withoutPatient(volume) })),
    lungSurface: (volume) => ask<LungSurface>((id) => ({ kind: 'lung-surface', id, volume: withoutPatient(volume) })),
    async buildVolume(slices) {
      if (slices.some((slice) => slice.stored.length < slice.rows * slice.columns)) {
        throw new Error('the slices\' pixels were handed over already (a second volume from the same slices)');
      }
      // buildVolume takes the patient and study attributes of the first slice: it needs their text
      // (the series summary), and the volume gets the whole of them back here.
      const sent = slices.map((slice, n) => ({ ...slice, patientStudy: n === 0 ? plainAttributes(slice.patientStudy) : {} }));
      const built = await ask<BuiltVolume>((id) => ({ kind: 'volume', id, slices: sent }), undefined, ownBuffers(slices.map((slice) => slice.stored)));
      return { ...built, volume: { ...built.volume, source: { ...built.volume.source, patientStudy: slices[0].patientStudy } } };
    },
    async encode({ uids = freshResultUids, ...results }) {
      const instanceUids = Object.fromEntries(encodedKinds.map((kind) => [kind, uids.instance(kind)])) as SentResults['instanceUids'];
      const { volume } = results;
      const sent: SentResults = { ...results, volume: { ...volume, source: { ...volume.source, patientStudy: plainAttributes(volume.source.patientStudy) } }, instanceUids };
      return ask<EncodedObject[]>((id) => ({ kind: 'encode', id, results: sent }));
    },
    async close() {
      const stopping = running;
      running = undefined;
      await stopping?.worker.terminate();
    },
  };
}
