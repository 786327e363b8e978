import http from 'node:http';

export interface RawResponse {
  status: number;
  /** Header name/value pairs exactly as received (names lower-cased). */
  rawHeaders: [string, string][];
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/**
 * One HTTP request with full control (Host header, method, no redirect following) and the raw
 * response headers, for the short-link path where header bytes matter (RED-03).
 */
export function rawRequest(
  baseUrl: string,
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** A keep-alive agent whose open connections to use; by default a fresh connection. */
    agent?: http.Agent;
  } = {},
): Promise<RawResponse> {
  const target = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const pairs: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            pairs.push([
              (res.rawHeaders[i] as string).toLowerCase(),
              res.rawHeaders[i + 1] as string,
            ]);
          }
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            rawHeaders: pairs,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/**
 * A keep-alive agent with `sockets` connections already open and idle (each opened by a GET of
 * `path`), so a burst sent through it reaches the server at once, without connection set-up.
 */
export async function openConnections(
  baseUrl: string,
  path: string,
  sockets: number,
): Promise<http.Agent> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  await Promise.all(Array.from({ length: sockets }, () => rawRequest(baseUrl, path, { agent })));
  const idle = Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
  if (idle !== sockets) throw new Error(`expected ${sockets} open connections, have ${idle}`);
  return agent;
}
