import { expect, it, test } from 'vitest';
import { escapeHtml, html, rawHtml, renderDocument } from './html.ts';

test.each([
  ['<b>', '&lt;b&gt;'],
  ['a & b', 'a &amp; b'],
  [`"x" 'y'`, '&quot;x&quot; &#39;y&#39;'],
  ['&amp;', '&amp;amp;'],
])('escapeHtml(%j)', (input, expected) => {
  expect(escapeHtml(input)).toBe(expected);
});

it('html escapes interpolated strings and numbers but not nested html', () => {
  const inner = html`<em>${'<i>'}</em>`;
  expect(html`<p title="${'"q"'}">${inner}${3}${undefined}${false}${['<a>', html`<b>`]}</p>`.toString()).toBe(
    '<p title="&quot;q&quot;"><em>&lt;i&gt;</em>3&lt;a&gt;<b></p>',
  );
});

it('a plain object that looks like trusted html is still escaped', () => {
  const forged = { toString: () => '<script>' } as unknown as string;
  expect(html`${forged}`.toString()).toBe('&lt;script&gt;');
  expect(html`${rawHtml('<hr>')}`.toString()).toBe('<hr>');
});

it('renderDocument escapes the title', () => {
  expect(renderDocument({ title: 'a<b', body: html`x` })).toContain('<title>a&lt;b</title>');
});
