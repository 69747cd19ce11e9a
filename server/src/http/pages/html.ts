/**
 * Server-rendered HTML without a template engine: the `html` tag escapes every interpolated
 * value unless it is itself the result of `html` (or `rawHtml`), so forgetting to escape is
 * not possible by default.
 */

const trusted = Symbol('trusted html');

export interface Html {
  readonly [trusted]: string;
  toString(): string;
}

function markTrusted(text: string): Html {
  return { [trusted]: text, toString: () => text };
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

type Interpolation = Html | string | number | undefined | null | false | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && trusted in value) return value[trusted];
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): Html {
  return markTrusted(strings.reduce((out, text, i) => out + text + (i < values.length ? render(values[i]) : ''), ''));
}

/** For markup that is a constant of this codebase (the style sheet); never for input. */
export function rawHtml(text: string): Html {
  return markTrusted(text);
}

const styleSheet = rawHtml(`
  :root { color-scheme: dark; font-family: system-ui, sans-serif; background: #0b1220; color: #e6edf7; }
  body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
  header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
  h1 { font-size: 1.4rem; margin: 0; }
  a { color: #7cc4ff; }
  table { width: 100%; border-collapse: collapse; margin-top: 1rem; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #24324a; vertical-align: top; }
  th { color: #9fb3cf; font-weight: 600; }
  .status { display: inline-block; padding: .1rem .5rem; border-radius: .8rem; font-size: .85rem; background: #24324a; }
  .status-succeeded { background: #14532d; } .status-failed { background: #7f1d1d; }
  .status-running, .status-queued { background: #1e3a8a; }
  .reason { color: #fca5a5; font-size: .9rem; }
  .muted { color: #9fb3cf; }
  code { font-size: .8rem; word-break: break-all; }
  form.login { display: grid; gap: .7rem; max-width: 24rem; margin-top: 2rem; }
  input[type=password] { padding: .5rem; font-size: 1rem; }
  button { padding: .5rem .9rem; font-size: 1rem; cursor: pointer; }
  .error { color: #fca5a5; }
`);

export interface DocumentOptions {
  readonly title: string;
  readonly body: Html;
  /** Reload the page every so many seconds (the home page while analyses are in flight). */
  readonly refreshSeconds?: number;
}

export function renderDocument(options: DocumentOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${options.title}</title>
<style>${styleSheet}</style>
</head>
<body>
${options.body}
</body>
</html>
`.toString();
}

/**
 * Headers for a page of ours: no inline script is needed, so the policy allows none; the
 * pages show patient data, so nothing is cached or framed.
 */
export const pageHeaders: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};
