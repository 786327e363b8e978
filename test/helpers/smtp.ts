import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on a random local port that keeps every delivered message, parsed. */
export interface MailCatcher {
  /** smtp://127.0.0.1:PORT, for QRLINK_SMTP_URL. */
  url: string;
  messages: ParsedMail[];
  /** Resolves with the first delivered message (now or later) that matches. */
  waitFor(match: (mail: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const messages: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS (its self-signed certificate would be refused) and no AUTH.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          for (const wake of waiters) wake();
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching e-mail within ${timeoutMs} ms (${messages.length} seen)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The address(es) a message went to, as plain strings. */
export function recipients(mail: ParsedMail): string[] {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.flatMap((group) => group.value.map((a) => a.address ?? ''));
}

/** The single-use token in a qrlink e-mail (reset or invitation). */
export function tokenIn(mail: ParsedMail): string {
  const match = /token[:=]\s*([A-Za-z0-9_-]{16,})/i.exec(mail.text ?? '');
  if (!match) throw new Error(`no token in e-mail: ${mail.text}`);
  return match[1] as string;
}

/** Every URL in the message text. */
export function linksIn(mail: ParsedMail): URL[] {
  return [...(mail.text ?? '').matchAll(/https?:\/\/\S+/g)].map((m) => new URL(m[0]));
}
