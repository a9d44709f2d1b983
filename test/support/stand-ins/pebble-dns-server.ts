import { createSocket } from 'node:dgram';
import { once } from 'node:events';

import * as dnsPacket from 'dns-packet';

export interface PebbleDnsServer {
  /** `127.0.0.1:<port>`, the form pebble's `-dnsserver` flag takes. */
  readonly address: string;
  /** Every question asked, as `TYPE name`. */
  readonly questions: readonly string[];
  close(): Promise<void>;
}

const NXDOMAIN = 3;

/**
 * A loopback DNS server for pebble's validation authority: it answers A for the names it is
 * given, an empty answer for their other record types, and NXDOMAIN for any other name, so
 * pebble reaches the test's challenge server without touching real DNS.
 */
export async function startPebbleDnsServer(
  ipv4ByName: Readonly<Record<string, string>>,
): Promise<PebbleDnsServer> {
  const questions: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (question === undefined) {
      return;
    }
    const name = question.name.toLowerCase().replace(/\.$/, '');
    questions.push(`${question.type} ${name}`);
    const ipv4 = ipv4ByName[name];
    const answers: dnsPacket.Answer[] =
      ipv4 !== undefined && question.type === 'A'
        ? [{ type: 'A', name: question.name, ttl: 1, data: ipv4 }]
        : [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (ipv4 === undefined ? NXDOMAIN : 0),
      questions: [question],
      answers,
    });
    socket.send(reply, remote.port, remote.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();

  return {
    address: `127.0.0.1:${String(port)}`,
    questions,
    close: () =>
      new Promise<void>((resolve) => {
        socket.close(() => {
          resolve();
        });
      }),
  };
}
