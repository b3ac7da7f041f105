/**
 * A Hubject simulator holding a network of `argv[2]` simulated EVSEs, in a process of its own so
 * that the network pull benchmark measures the bridge's memory, not the hub's.
 */
import { createHubjectSimulator } from '../src/simulator/hubject';
import { SIMULATED_OPERATOR, simulatedEvse } from '../src/simulator/oicp-cpo';
import { startServer } from '../src/server';
import { quietLogger } from '../test/support/oicp-network';

async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  const hub = createHubjectSimulator({ logger: quietLogger() });
  hub.state.pushEvseData('fullLoad', SIMULATED_OPERATOR.OperatorID, SIMULATED_OPERATOR.OperatorName, Array.from({ length: count }, (_, n) => simulatedEvse(n)));
  const server = await startServer(hub.app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 100 });
  console.log(`listening ${server.url}`);
}

void main();
