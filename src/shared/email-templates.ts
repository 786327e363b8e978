import { PAGE_PATHS } from './page-paths.js';

export interface EmailContent {
  subject: string;
  text: string;
}

/**
 * A page URL built from the configured base URL, never from a request's Host (RED-10). A token
 * travels in the fragment, which browsers do not send to the server or in Referer.
 */
function pageUrl(baseUrl: URL, path: string, token?: string): string {
  const url = new URL(path, baseUrl);
  if (token !== undefined) url.hash = `token=${token}`;
  return url.toString();
}

/** Every e-mail the server sends, in one place, so a test can render each and check its links. */
export const emailTemplates = {
  passwordReset: (baseUrl: URL, v: { token: string }): EmailContent => ({
    subject: 'Reset your qrlink password',
    text:
      `Someone asked to reset the password of your qrlink account.\n\n` +
      `Reset token: ${v.token}\n\nOr open: ${pageUrl(baseUrl, PAGE_PATHS.resetPassword, v.token)}\n\n` +
      `The token works once and expires in 1 hour. If this was not you, ignore this e-mail.\n`,
  }),

  invitation: (
    baseUrl: URL,
    v: { inviterEmail: string; workspaceName: string; role: string; token: string },
  ): EmailContent => ({
    subject: `You are invited to ${v.workspaceName} on qrlink`,
    text:
      `${v.inviterEmail} invited you to the workspace "${v.workspaceName}" as ${v.role}.\n\n` +
      `Invitation token: ${v.token}\n\nOr open: ${pageUrl(baseUrl, PAGE_PATHS.acceptInvitation, v.token)}\n\n` +
      `The invitation works once and expires in 1 hour.\n`,
  }),

  paymentFailed: (baseUrl: URL): EmailContent => ({
    subject: 'Your qrlink payment failed',
    text:
      `We could not collect the payment for your qrlink subscription.\n\n` +
      `Your links and QR codes keep working. Premium features stay on during the grace period; ` +
      `please update your payment method: ${pageUrl(baseUrl, PAGE_PATHS.billingSettings)}\n`,
  }),

  trialEnding: (baseUrl: URL): EmailContent => ({
    subject: 'Your qrlink trial ends soon',
    text: `Your qrlink trial ends in a few days. Choose a plan to keep premium features: ${pageUrl(baseUrl, PAGE_PATHS.billingSettings)}\n`,
  }),
};
