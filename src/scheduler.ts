import type { FastifyBaseLogger } from 'fastify';

export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/** Periodic background jobs in this process; a run never overlaps the previous one. */
export function startScheduler(jobs: readonly Job[], log: FastifyBaseLogger) {
  const running = new Map<string, Promise<unknown>>();
  const runJob = (job: Job): Promise<unknown> => {
    const current = running.get(job.name);
    if (current) return current;
    const started = Date.now();
    const promise = job
      .run()
      .then((result) =>
        log.info({ job: job.name, ms: Date.now() - started, result }, 'job finished'),
      )
      .catch((err: unknown) => log.error({ err, job: job.name }, 'job failed'))
      .finally(() => running.delete(job.name));
    running.set(job.name, promise);
    return promise;
  };
  const timers = jobs.map((job) => {
    const timer = setInterval(() => void runJob(job), job.everyMs);
    timer.unref();
    return timer;
  });
  return {
    /** Runs one job now (tests, admin) and waits for it. */
    async run(name: string): Promise<void> {
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`unknown job ${name}`);
      await runJob(job);
    },
    async stop(): Promise<void> {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running.values());
    },
  };
}
