import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

/**
 * A real DNS server on loopback answering TXT queries from a map the test edits, so domain
 * verification runs against an actual resolver round trip.
 */
export interface TestDnsServer {
  /** `ip:port`, for QRLINK_DNS_SERVERS. */
  address: string;
  txt: Map<string, string[]>;
  close(): Promise<void>;
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const txt = new Map<string, string[]>();
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, remote) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    const name = question?.name.toLowerCase() ?? '';
    const records = question?.type === 'TXT' ? (txt.get(name) ?? []) : [];
    const response = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (txt.has(name) || records.length ? 0 : 3),
      questions: query.questions,
      answers: records.map((data) => ({ type: 'TXT' as const, name, ttl: 1, data })),
    });
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    txt,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
