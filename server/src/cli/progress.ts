/** A one-line progress bar on stderr (redrawn in place on a terminal, plain lines otherwise). */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let last = -1;
  return {
    update(done: number, total: number): void {
      const fraction = total ? done / total : 1;
      const percent = Math.floor(fraction * 100);
      if (percent === last) return;
      last = percent;
      const width = 30;
      const filled = Math.round(fraction * width);
      const line = `${label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${done}/${total}`;
      if (stream.isTTY) stream.write(`\r${line}${done >= total ? '\n' : ''}`);
      else if (done >= total || percent % 25 === 0) stream.write(`${line}\n`);
    },
  };
}
