import { PASSWORD_MIN } from '../accounts/passwords.js';
import { htmlPage, jsonForScript } from '../shared/html.js';
import { PAGE_PATHS } from '../shared/page-paths.js';

/**
 * The pages e-mails link to, rendered by the server until the dashboard serves them: plain forms
 * whose one nonce'd script reads the token from the URL fragment (which never reaches the server
 * or a Referer) and calls the same public API any client uses.
 */

const API = {
  resetRequest: '/api/v1/auth/password-reset',
  resetConfirm: '/api/v1/auth/password-reset/confirm',
  me: '/api/v1/me',
  login: '/api/v1/auth/login',
  signup: '/api/v1/auth/signup',
  acceptInvitation: '/api/v1/invitations/accept',
} as const;

const API_DOCS = '/api/docs';

/** What both scripts share: the fragment's token, JSON calls, and a status line. */
const COMMON_SCRIPT = `const API = ${jsonForScript(API)};
const message = document.getElementById('message');
function say(text, ok) { message.textContent = text; message.className = ok ? 'ok' : 'error'; }
function tokenFromFragment(form) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return;
  history.replaceState(null, '', location.pathname);
  form.token.value = token;
  document.getElementById('token-field').hidden = true;
}
async function call(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.ok) return res.status === 204 ? null : res.json();
  const problem = await res.json().catch(() => null);
  throw new Error((problem && problem.detail) || 'Something went wrong (' + res.status + ')');
}
function onSubmit(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try { await action(event.submitter); } catch (err) { say(err.message, false); }
  });
}
`;

const tokenField = (what: string) =>
  `<label id="token-field">${what} token (from the e-mail)<br>` +
  `<input name="token" autocomplete="off" required maxlength="100"></label><br>`;

const statusLine = '<p id="message" role="status"></p>';

export function resetPasswordPage(nonce: string): string {
  return htmlPage(
    'Reset your password',
    `<h1>Reset your qrlink password</h1>` +
      `<form id="reset">${tokenField('Reset')}` +
      `<label>New password (at least ${PASSWORD_MIN} characters)<br>` +
      `<input type="password" name="password" autocomplete="new-password" required></label><br>` +
      `<button type="submit">Set the new password</button></form>${statusLine}` +
      `<details><summary>No token? Get a new e-mail</summary><form id="request">` +
      `<label>E-mail address<br><input type="email" name="email" autocomplete="email" required></label><br>` +
      `<button type="submit">E-mail me a reset link</button></form></details>`,
    {
      nonce,
      code: `${COMMON_SCRIPT}
const reset = document.getElementById('reset');
const request = document.getElementById('request');
tokenFromFragment(reset);
onSubmit(reset, async () => {
  await call(API.resetConfirm, { token: reset.token.value.trim(), password: reset.password.value });
  reset.hidden = true;
  say('Your password has been changed and every session signed out. Sign in with the new password.', true);
});
onSubmit(request, async () => {
  await call(API.resetRequest, { email: request.email.value.trim() });
  say('If an account uses this address, a reset e-mail is on its way.', true);
});`,
    },
  );
}

export function acceptInvitationPage(nonce: string): string {
  return htmlPage(
    'Join a workspace',
    `<h1>Join a workspace on qrlink</h1>` +
      `<form id="accept">${tokenField('Invitation')}<p id="who"></p>` +
      `<div id="credentials" hidden><p>Sign in to accept, or create an account with the invited address.</p>` +
      `<label>E-mail address<br><input type="email" name="email" autocomplete="email"></label><br>` +
      `<label>Password (at least ${PASSWORD_MIN} characters)<br>` +
      `<input type="password" name="password" autocomplete="current-password"></label><br></div>` +
      `<button type="submit" value="accept" id="join">Join the workspace</button>` +
      `<button type="submit" value="login" id="login" hidden>Sign in and join</button> ` +
      `<button type="submit" value="signup" id="signup" hidden>Create an account and join</button>` +
      `</form>${statusLine}`,
    {
      nonce,
      code: `${COMMON_SCRIPT}
const accept = document.getElementById('accept');
tokenFromFragment(accept);
fetch(API.me, { credentials: 'same-origin' }).then(async (res) => {
  if (res.ok) {
    document.getElementById('who').textContent = 'Signed in as ' + (await res.json()).user.email + '.';
    return;
  }
  for (const id of ['credentials', 'login', 'signup']) document.getElementById(id).hidden = false;
  document.getElementById('join').hidden = true;
});
onSubmit(accept, async (button) => {
  const token = accept.token.value.trim();
  const credentials = { email: accept.email.value.trim(), password: accept.password.value };
  let workspace;
  if (button && button.value === 'signup') {
    workspace = (await call(API.signup, { ...credentials, invitationToken: token })).workspace;
  } else {
    if (button && button.value === 'login') await call(API.login, credentials);
    workspace = await call(API.acceptInvitation, { token });
  }
  accept.hidden = true;
  say('You joined ' + workspace.name + ' as ' + workspace.role + '.', true);
});`,
    },
  );
}

export const homePage = () =>
  htmlPage(
    'qrlink',
    `<h1>qrlink</h1><p>This server answers short links and QR codes. ` +
      `Its API is documented at <a href="${API_DOCS}">${API_DOCS}</a>.</p>`,
  );

/** The dashboard's other pages, until it exists. */
export const notYetPage = () =>
  htmlPage(
    'Not available yet',
    `<h1>Not available yet</h1><p>This page belongs to the dashboard, which this version does ` +
      `not include. Everything it will do is in the API: <a href="${API_DOCS}">${API_DOCS}</a>. ` +
      `<a href="${PAGE_PATHS.home}">Home</a></p>`,
  );
