// The soak's hostile clients in a process of their own (bench/support/soak.ts forks it): in the load generator's
// process they were paced against the good clients but got ever fewer turns of its event loop as good connections
// grew (1.6 % of requests at 256 good connections instead of 10 %). Here they have their own event loop; the soak
// sends the count of good answers every 50 ms and the driver keeps its requests at `share` of everything sent.
import { HOSTILE_KINDS, HostileClient, count, slowClients, type HostileTokens, type Tally } from './hostile.js';

export interface DriverStart {
  licenseUrl: string;
  tokens: HostileTokens;
  /** Good request bodies, for the kinds whose body is fine and whose token is not. */
  bodies: string[];
  /** Connections for hostile requests, and for slow clients. */
  connections: number;
  slowConnections: number;
  share: number;
}

/** What the soak sends: the good answers so far, then 'stop'. */
export type DriverMessage = { good: number } | { stop: true };

export interface DriverResult {
  tally: Tally;
  slowHeldSeconds: number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function drive(start: DriverStart): Promise<void> {
  let goodDone = 0;
  let running = true;
  let hostileSent = 0;
  const tally: Tally = new Map();
  process.on('message', (m: DriverMessage) => {
    if ('good' in m) goodDone = m.good;
    else running = false;
  });
  const client = new HostileClient(start.licenseUrl, start.tokens, start.connections);
  // Connections opened before the good clients come (one request each, not counted): opened later, under load, they
  // waited seconds in the server's accept queue, and the hostile share fell far short of `share`.
  await Promise.all(Array.from({ length: start.connections }, () => client.send('no token', start.bodies[0]!)));
  process.send!('connected');
  // Each kind on connections of its own: a kind answered slowly (under load, the announced gigabyte took seconds: its
  // new connection waits to be accepted) no longer holds up the others, so the share is kept with the quick ones.
  const perKind = Math.max(1, Math.ceil(start.connections / HOSTILE_KINDS.length));
  const hostile = HOSTILE_KINDS.flatMap((kind) =>
    Array.from({ length: perKind }, async () => {
      while (running) {
        // Paced: hostile requests stay at `share` of everything sent.
        if (hostileSent >= (goodDone * start.share) / (1 - start.share)) {
          await sleep(2);
          continue;
        }
        hostileSent++;
        count(tally, kind, await client.send(kind, start.bodies[hostileSent % start.bodies.length]!));
      }
    }),
  );
  const slowHeldSeconds = await slowClients(start.licenseUrl, start.slowConnections, () => running, tally);
  await Promise.all(hostile);
  client.close();
  const result: DriverResult = { tally, slowHeldSeconds };
  process.send!(result, () => process.exit(0));
}

process.once('message', (start: DriverStart) => void drive(start));
process.send!('ready');
