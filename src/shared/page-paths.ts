/**
 * Where the app's pages live: the server-rendered account pages and the dashboard's sections.
 * E-mails link here, and each path is registered as a route (src/http/page-routes.ts), which is
 * what keeps short codes from shadowing it.
 */
export const PAGE_PATHS = {
  home: '/',
  login: '/login',
  signup: '/signup',
  resetPassword: '/reset-password',
  acceptInvitation: '/accept-invitation',
  verifyEmail: '/verify-email',
  links: '/links',
  qrCodes: '/qr',
  analytics: '/analytics',
  domains: '/domains',
  team: '/team',
  settings: '/settings',
  billingSettings: '/settings/billing',
  billing: '/billing',
  admin: '/admin',
  app: '/app',
  /** The dashboard's hashed static files. */
  assets: '/assets',
} as const;
