/** The boundary parameter of a multipart Content-Type, quoted or not. */
export function multipartBoundary(contentType: string | null): string {
  const match = /boundary="?([^";]+)"?/i.exec(contentType ?? '');
  if (!match) throw new Error(`Response is not multipart (Content-Type: ${contentType ?? 'none'})`);
  return match[1];
}

export interface MultipartPart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

const crlfcrlf = Buffer.from('\r\n\r\n');

function parseHeaders(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Splits a multipart/related body into parts as the bytes arrive, holding at most one part and
 * one chunk in memory: a 320-slice series is 160 MB, which should never sit in one buffer.
 */
export async function* readMultipart(chunks: AsyncIterable<Uint8Array>, boundary: string): AsyncGenerator<MultipartPart> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // Prepending CRLF lets the first delimiter match the same pattern as the others.
  let pending: Buffer = Buffer.from('\r\n');
  let inPart = false;
  for await (const chunk of chunks) {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const at = pending.indexOf(delimiter);
      // Two bytes after the delimiter tell the closing one ("--") from the next part (CRLF).
      if (at < 0 || pending.length < at + delimiter.length + 2) break;
      if (inPart) {
        const part = pending.subarray(0, at);
        const split = part.indexOf(crlfcrlf);
        if (split < 0) throw new Error('Multipart part without a header block');
        yield { headers: parseHeaders(part.subarray(0, split)), body: new Uint8Array(part.subarray(split + 4)) };
      }
      const after = at + delimiter.length;
      if (pending.subarray(after, after + 2).toString('latin1') === '--') return;
      pending = pending.subarray(after + 2);
      inPart = true;
    }
  }
  throw new Error('Multipart body ended before its closing delimiter (connection cut?)');
}
