import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Replaces strings in a streamed text body without buffering it: the tail that could hold the
 * start of a match is carried over to the next chunk. Used to point the absolute URLs a PACS
 * writes into DICOM JSON (RetrieveURL, BulkDataURI) at Lungbridge instead of at itself.
 */
export function rewriteStream(replacements: ReadonlyArray<readonly [string, string]>): Transform {
  const active = replacements.filter(([from, to]) => from && from !== to);
  const keep = Math.max(0, ...active.map(([from]) => from.length - 1));
  let carry = '';
  // The decoder holds back the bytes of a character split between chunks.
  const decoder = new StringDecoder('utf8');
  const apply = (text: string) => active.reduce((out, [from, to]) => out.split(from).join(to), text);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = apply(carry + decoder.write(chunk));
      const cut = Math.max(0, text.length - keep);
      carry = text.slice(cut);
      done(null, text.slice(0, cut));
    },
    flush(done) {
      done(null, apply(carry + decoder.end()));
    },
  });
}
