import { createSocket, type RemoteInfo } from 'node:dgram';

import dnsPacket from 'dns-packet';

/** How the server treats queries: answer from the map, say SERVFAIL, or stay silent. */
export type DnsServerMode = 'answer' | 'servfail' | 'silent';

export interface DnsServerStandIn {
  /** `127.0.0.1:<port>`, as `Resolver.setServers` takes it. */
  readonly address: string;
  /** Every question received, answered or not. */
  readonly queries: { readonly name: string; readonly type: string }[];
  /** Publishes TXT records at `name`: one entry per record, each a string or its chunks. */
  setTxt(name: string, records: readonly (string | readonly string[])[]): void;
  setMode(mode: DnsServerMode): void;
  close(): Promise<void>;
}

const RCODE = { noError: 0, servFail: 2, nxDomain: 3 } as const;

/**
 * A loopback UDP DNS server answering TXT queries from an in-memory map. Names not in the
 * map get NXDOMAIN; a known name asked for another type gets an empty NOERROR (NODATA).
 */
export async function startDnsServer(): Promise<DnsServerStandIn> {
  const socket = createSocket('udp4');
  const txt = new Map<string, (string | readonly string[])[]>();
  const queries: { name: string; type: string }[] = [];
  let mode: DnsServerMode = 'answer';

  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (question === undefined) {
      return;
    }
    queries.push({ name: question.name, type: question.type });
    if (mode === 'silent') {
      return;
    }
    const records = txt.get(question.name.toLowerCase());
    const rcode =
      mode === 'servfail' ? RCODE.servFail : records === undefined ? RCODE.nxDomain : RCODE.noError;
    const answers: dnsPacket.Answer[] =
      rcode === RCODE.noError && question.type === 'TXT'
        ? (records ?? []).map((data) => ({
            type: 'TXT',
            class: 'IN',
            name: question.name,
            ttl: 60,
            data: typeof data === 'string' ? data : [...data],
          }))
        : [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (query.flags ?? 0) | rcode,
      questions: [question],
      answers,
    });
    socket.send(reply, peer.port, peer.address);
  });

  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();

  return {
    address: `127.0.0.1:${String(port)}`,
    queries,
    setTxt(name, records) {
      txt.set(name.toLowerCase(), [...records]);
    },
    setMode(next) {
      mode = next;
    },
    close() {
      return new Promise<void>((resolve) => {
        socket.close(() => {
          resolve();
        });
      });
    },
  };
}
