import { html, renderDocument } from './html.ts';

export interface LoginPageOptions {
  /** Where to return after logging in (already checked with safeNextPath). */
  readonly next: string;
  /** Shown above the form after a refused attempt. */
  readonly error?: string;
}

/** The login form: one API key field; it posts to /login with the way back in `next`. */
export function renderLoginPage(options: LoginPageOptions): string {
  return renderDocument({
    title: 'Lungbridge: log in',
    body: html`<header><h1>Lungbridge</h1></header>
<main>
  <form class="login" method="post" action="/login">
    <p>Enter a Lungbridge API key to open the reading room.</p>
    ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
    <label for="apiKey">API key</label>
    <input id="apiKey" name="apiKey" type="password" autocomplete="current-password" required autofocus>
    <input type="hidden" name="next" value="${options.next}">
    <button type="submit">Log in</button>
  </form>
</main>`,
  });
}
