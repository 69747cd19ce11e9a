import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { rewriteStream } from './url-rewrite.ts';

async function rewrite(input: string, chunkSize: number, pairs: Array<[string, string]>): Promise<string> {
  const chunks: Buffer[] = [];
  const bytes = Buffer.from(input);
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return text(Readable.from(chunks).pipe(rewriteStream(pairs)));
}

describe('rewriteStream', () => {
  const body = JSON.stringify([{ '00081190': { vr: 'UR', Value: ['http://127.0.0.1:8042/dicom-web/studies/1.2/series/3'] } }, { BulkDataURI: 'http://127.0.0.1:8042/dicom-web/studies/1.2/bulk/7fe00010' }]);
  it.each([1, 3, 17, 4096])('rewrites matches that straddle chunks of %i bytes', async (size) => {
    const out = await rewrite(body, size, [['http://127.0.0.1:8042/dicom-web', 'https://lungbridge.example/dicom-web']]);
    expect(out).toBe(body.split('http://127.0.0.1:8042/dicom-web').join('https://lungbridge.example/dicom-web'));
    expect(out).not.toContain('8042');
  });

  it('passes text without matches unchanged', async () => {
    expect(await rewrite('{"a":"ünïcödé"}', 2, [['zzz', 'y']])).toBe('{"a":"ünïcödé"}');
  });
});
