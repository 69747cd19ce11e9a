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
export async function* readMultipart(source: AsyncIterable<Uint8Array>, boundary: string): AsyncGenerator<MultipartPart> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // Prepending CRLF lets the first delimiter match the same pattern as the others.
  // A chunk is first searched on its own (with the few bytes before it, in case the delimiter
  // straddles two chunks); the buffered chunks are joined only when a delimiter ends in it, so a
  // part costs one copy and one scan however finely it arrives.
  const overlap = delimiter.length + 1;
  let chunks: Buffer[] = [Buffer.from('\r\n')];
  let buffered = 2;
  let inPart = false;
  for await (const chunk of source) {
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const last = chunks[chunks.length - 1];
    const seam = Buffer.concat([last.subarray(Math.max(0, last.length - overlap)), piece]);
    chunks.push(piece);
    buffered += piece.length;
    if (seam.indexOf(delimiter) < 0 && seam.length >= overlap) continue;
    let pending = Buffer.concat(chunks, buffered);
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
    chunks = [pending];
    buffered = pending.length;
  }
  throw new Error('Multipart body ended before its closing delimiter (connection cut?)');
}
