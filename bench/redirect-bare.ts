/**
 * bench:redirect's ceiling: a bare node:http server answering every request with one fixed 302,
 * with the headers qrlink's redirect sends, so both put the same bytes on the wire.
 */
import { createServer } from 'node:http';

const HEADERS = [
  'location',
  'https://example.com/p/0',
  'cache-control',
  'private, max-age=0',
  'x-robots-tag',
  'noindex',
  'content-length',
  '0',
];

const server = createServer((_req, res) => {
  res.writeHead(302, HEADERS);
  res.end();
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
