import { describe, expect, it } from 'vitest';
import { multipartBoundary, readMultipart } from './multipart.ts';

function body(boundary: string, parts: string[]): Buffer {
  const text = parts.map((p) => `--${boundary}\r\nContent-Type: application/dicom\r\n\r\n${p}\r\n`).join('');
  return Buffer.from(`${text}--${boundary}--\r\n`);
}

async function* chunked(buffer: Buffer, size: number) {
  for (let i = 0; i < buffer.length; i += size) yield new Uint8Array(buffer.subarray(i, i + size));
}

async function collect(buffer: Buffer, boundary: string, size: number): Promise<string[]> {
  const out: string[] = [];
  for await (const part of readMultipart(chunked(buffer, size), boundary)) {
    expect(part.headers['content-type']).toBe('application/dicom');
    out.push(Buffer.from(part.body).toString('latin1'));
  }
  return out;
}

describe('readMultipart', () => {
  const parts = ['first part', 'second\r\nwith CRLF\r\n--not-a-boundary', '', 'x'.repeat(5000)];
  it.each([1, 2, 7, 64, 100_000])('splits parts whatever the chunk size (%i bytes)', async (size) => {
    expect(await collect(body('b0und4ry', parts), 'b0und4ry', size)).toEqual(parts);
  });

  it('rejects a body cut before the closing delimiter', async () => {
    const cut = body('zz', parts).subarray(0, 40);
    await expect(collect(cut, 'zz', 16)).rejects.toThrow(/closing delimiter/);
  });

  it('reads quoted and unquoted boundaries', () => {
    expect(multipartBoundary('multipart/related; type="application/dicom"; boundary="abc"')).toBe('abc');
    expect(multipartBoundary('multipart/related;boundary=xyz;type=application/dicom')).toBe('xyz');
    expect(() => multipartBoundary('application/json')).toThrow(/not multipart/);
  });
});
