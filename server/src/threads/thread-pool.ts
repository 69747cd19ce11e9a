import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { threadTasks, type TaskInput, type TaskOutput, type TaskReply, type TaskRequest, type ThreadTaskName } from './thread-tasks.ts';

/**
 * Shares pure analysis work (thread-tasks.ts) between this thread and helper threads, so that the
 * detect stage uses every core outside onnxruntime too. Helpers start with the pool (about 0.3 s:
 * each loads the TypeScript it runs) and are reused for every scan; an idle pool does not keep the
 * process alive.
 */
export interface ThreadPool {
  /** Helper threads besides the calling one. */
  readonly helpers: number;
  /**
   * Runs a task on every input and returns the outputs in input order. The inputs are shared out
   * by `cost` (largest first, each to the least loaded thread); this thread runs its share while the
   * helpers run theirs. Inputs for which `staysHere` is true (they hold memory too large to send,
   * such as the scan itself) run on this thread. A helper's failure rejects with its error.
   */
  map<N extends ThreadTaskName>(task: N, inputs: readonly TaskInput<N>[], cost: (input: TaskInput<N>) => number, staysHere?: (input: TaskInput<N>) => boolean): Promise<TaskOutput<N>[]>;
  /** Stops the helpers; later calls run everything on the calling thread. */
  close(): Promise<void>;
}

/** Threads the analysis uses unless told otherwise: the host's cores. */
export const defaultAnalysisThreads = availableParallelism();

const entry = new URL('./thread-entry.ts', import.meta.url).href;
const boot = new URL('./thread-boot.mjs', import.meta.url);

interface Helper {
  worker: Worker;
  readonly pending: Map<number, { resolve: (outputs: unknown[]) => void; reject: (error: Error) => void }>;
}

/** A pool with `threads` threads in all: the calling one and `threads - 1` helpers. */
export function createThreadPool(threads: number = defaultAnalysisThreads): ThreadPool {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads ${threads} breaks the rule: a positive integer`);
  let helpers: Helper[] = Array.from({ length: threads - 1 }, startHelper);
  let nextId = 0;

  function startHelper(): Helper {
    const helper: Helper = { worker: new Worker(boot, { workerData: { entry } }), pending: new Map() };
    const failAll = (error: Error) => {
      for (const { reject } of helper.pending.values()) reject(error);
      helper.pending.clear();
    };
    helper.worker.on('message', (reply: TaskReply) => {
      const waiting = helper.pending.get(reply.id);
      if (!waiting) return;
      helper.pending.delete(reply.id);
      if (helper.pending.size === 0) helper.worker.unref();
      if ('error' in reply) waiting.reject(Object.assign(new Error(`helper thread: ${reply.error.message}`), { stack: reply.error.stack }));
      else waiting.resolve([...reply.outputs]);
    });
    helper.worker.on('error', failAll);
    // A helper that exits (killed, out of memory) is replaced, and what it held fails.
    helper.worker.on('exit', (code) => {
      failAll(new Error(`helper thread exited with code ${code}`));
      const index = helpers.indexOf(helper);
      if (index >= 0) helpers[index] = startHelper();
    });
    helper.worker.unref();
    return helper;
  }

  function send(helper: Helper, request: TaskRequest, transfer: ArrayBuffer[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      helper.pending.set(request.id, { resolve, reject });
      helper.worker.ref();
      helper.worker.postMessage(request, transfer);
    });
  }

  return {
    get helpers() { return helpers.length; },
    async map(task, inputs, cost, staysHere = () => false) {
      const { run, transferInput } = threadTasks[task] as unknown as {
        run: (input: TaskInput<typeof task>) => TaskOutput<typeof task>;
        transferInput: (input: TaskInput<typeof task>) => ArrayBuffer[];
      };
      const shares = shareByCost(inputs.map(cost), helpers.length + 1, inputs.map(staysHere));
      const sent = helpers.map((helper, h) => {
        const mine = shares[h + 1];
        if (mine.length === 0) return Promise.resolve([]);
        const batch = mine.map((n) => inputs[n]);
        return send(helper, { id: nextId++, task, inputs: batch }, batch.flatMap(transferInput));
      });
      const outputs = new Array<TaskOutput<typeof task>>(inputs.length);
      try {
        for (const n of shares[0]) outputs[n] = run(inputs[n]);
      } catch (error) {
        // The helpers' work is abandoned, but waited for: none of it may fail unobserved.
        await Promise.allSettled(sent);
        throw error;
      }
      const replies = await Promise.all(sent);
      replies.forEach((reply, h) => shares[h + 1].forEach((n, r) => { outputs[n] = reply[r] as TaskOutput<typeof task>; }));
      return outputs;
    },
    async close() {
      const stopping = helpers;
      helpers = [];
      await Promise.all(stopping.map((helper) => helper.worker.terminate()));
    },
  };
}

/**
 * Input indices per thread (thread 0 is the caller): those marked `onCaller` on thread 0, then the
 * rest largest cost first, each to the least loaded (a helper on a tie).
 */
export function shareByCost(costs: readonly number[], threads: number, onCaller: readonly boolean[] = []): number[][] {
  const shares = Array.from({ length: threads }, (): number[] => []);
  const load = new Array<number>(threads).fill(0);
  for (const [n, here] of onCaller.entries()) {
    if (!here) continue;
    shares[0].push(n);
    load[0] += costs[n];
  }
  const order = [...costs.keys()].filter((n) => !onCaller[n]).sort((a, b) => costs[b] - costs[a]);
  for (const n of order) {
    // On a tie a helper takes it: this thread also sends, collects and places the results.
    const least = load.lastIndexOf(Math.min(...load));
    shares[least].push(n);
    load[least] += costs[n];
  }
  for (const share of shares) share.sort((a, b) => a - b);
  return shares;
}
