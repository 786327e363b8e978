import type { FastifyBaseLogger } from 'fastify';
import type { DomainsService } from './service.js';

/** How often the re-verification job looks for domains not checked for a day. */
export const RECHECK_TICK_MS = 3600_000;

/**
 * The daily re-verification (RED-11): every hour, domains whose last check is a day old are
 * looked up again; one whose TXT record is gone stops serving. Every process may run it: a
 * domain checked by one is not due for the others.
 */
export function startDomainRecheck(service: DomainsService, log: FastifyBaseLogger) {
  let running: Promise<unknown> | undefined;
  const run = () => {
    running ??= service
      .recheckAll()
      .then((result) => {
        if (result.failed > 0) log.warn(result, 'custom domains failed re-verification');
      })
      .catch((err: unknown) => log.warn({ err }, 'domain re-verification failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, RECHECK_TICK_MS);
  timer.unref();
  // Also soon after start, so processes restarted more often than hourly still check.
  const first = setTimeout(run, 60_000);
  first.unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}
