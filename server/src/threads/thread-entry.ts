/** A helper thread of the thread pool: runs the batches of tasks it is sent (thread-tasks.ts). */
import { parentPort } from 'node:worker_threads';
import { threadTasks, type TaskReply, type TaskRequest } from './thread-tasks.ts';

const port = parentPort;
if (!port) throw new Error('thread-entry.ts runs only as a worker thread of the thread pool');
port.on('message', ({ id, task, inputs }: TaskRequest) => {
  let reply: TaskReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const { run, transferOutput } = threadTasks[task] as { run: (input: unknown) => unknown; transferOutput: (output: unknown) => ArrayBuffer[] };
    const outputs = inputs.map(run);
    transfer = outputs.flatMap(transferOutput);
    reply = { id, outputs };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { id, error: { message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
  }
  port.postMessage(reply, transfer);
});
