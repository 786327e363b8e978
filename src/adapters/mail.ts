import nodemailer from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** Sends over SMTP (QRLINK_SMTP_URL), e.g. smtp://user:pass@mail.example.com:587. */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    close: () => transport.close(),
  };
}

/**
 * Without SMTP the message cannot be delivered: say so in the log (recipient and subject only,
 * because bodies carry single-use tokens).
 */
export function logMailer(log: FastifyBaseLogger): Mailer {
  return {
    async send(message) {
      log.warn(
        { to: message.to, subject: message.subject },
        'e-mail not sent: QRLINK_SMTP_URL is not configured',
      );
    },
    close: () => undefined,
  };
}
