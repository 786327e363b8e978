/**
 * Open-loop HTTP/1.1 load at a fixed rate, for latency at a given request rate. autocannon's
 * rate limit cannot measure that: each connection sends its quota for the second as fast as it
 * can, then waits for the next second, so its latencies are those of bursts at full speed.
 *
 * Here request i is due at start + i / rate. A 1 ms timer sends the requests that have come
 * due, each on the first idle keep-alive connection; its latency counts from that tick, also
 * while it waits for a connection, so a stalled server is charged for the requests that queue
 * behind the stall (no coordinated omission, as in wrk2). Responses must carry Content-Length
 * (every server bench:redirect measures does).
 */
import net from 'node:net';

export interface PacedResult {
  /** Milliseconds from the tick that found the request due to the end of its response. */
  latencies: number[];
  statuses: Record<string, number>;
  /** Requests unanswered 2 s after the last was due (connection errors included). */
  errors: number;
  seconds: number;
}

const HEAD_END = '\r\n\r\n';

export async function pacedLoad(options: {
  url: string;
  paths: readonly string[];
  seconds: number;
  rate: number;
  connections: number;
  headers: Record<string, string>;
}): Promise<PacedResult> {
  const { hostname, port, host } = new URL(options.url);
  const headerLines = Object.entries({ host, ...options.headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  /** When requests not yet sent were found due, oldest first. */
  const backlog: number[] = [];
  let backlogHead = 0;
  let scheduled = 0;
  let answered = 0;
  let start = 0;

  interface Connection {
    socket: net.Socket;
    /** When the request in flight was found due, or null when idle. */
    due: number | null;
    received: string;
  }

  const idle: Connection[] = [];

  function send(connection: Connection, due: number): void {
    connection.due = due;
    const path = options.paths[Math.floor(Math.random() * options.paths.length)] as string;
    connection.socket.write(`GET ${path} HTTP/1.1\r\n${headerLines}\r\n`);
  }

  function dispatch(): void {
    while (backlogHead < backlog.length && idle.length > 0) {
      send(idle.pop() as Connection, backlog[backlogHead++] as number);
    }
    if (backlogHead > 4096 && backlogHead * 2 > backlog.length) {
      backlog.splice(0, backlogHead);
      backlogHead = 0;
    }
  }

  function onData(connection: Connection, chunk: string): void {
    connection.received += chunk;
    for (;;) {
      const end = connection.received.indexOf(HEAD_END);
      if (end === -1) return;
      const head = connection.received.slice(0, end);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      const size = end + HEAD_END.length + length;
      if (connection.received.length < size) return;
      connection.received = connection.received.slice(size);
      const status = head.slice(9, 12);
      statuses[status] = (statuses[status] ?? 0) + 1;
      latencies.push(performance.now() - (connection.due as number));
      answered++;
      connection.due = null;
      idle.push(connection);
      dispatch();
    }
  }

  const connections = await Promise.all(
    Array.from(
      { length: options.connections },
      () =>
        new Promise<Connection>((resolve, reject) => {
          const socket = net.connect({ host: hostname, port: Number(port) });
          const connection: Connection = { socket, due: null, received: '' };
          socket.setNoDelay(true);
          socket.setEncoding('latin1');
          socket.once('connect', () => resolve(connection));
          socket.once('error', reject);
          socket.on('data', (chunk: string) => onData(connection, chunk));
        }),
    ),
  );
  for (const connection of connections) {
    // A failed connection takes its request with it: it counts as unanswered.
    connection.socket.on('error', () => connection.socket.destroy());
    idle.push(connection);
  }

  start = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      while (scheduled < total && start + scheduled * interval <= now) {
        backlog.push(now);
        scheduled++;
      }
      dispatch();
      if (scheduled === total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const deadline = performance.now() + 2000;
  while (answered < total && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - start) / 1000;
  for (const connection of connections) connection.socket.destroy();
  return { latencies, statuses, errors: total - answered, seconds };
}
