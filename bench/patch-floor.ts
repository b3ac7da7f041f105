/**
 * The floor of the PATCH-load benchmark, in a process of its own like the bridge: a bare Express 5
 * app that parses the same JSON PATCH bodies and answers an OCPI acknowledgement, nothing else.
 */
import express from 'express';

const app = express();
app.patch('/ocpi/2.2.1/receiver/locations/:cc/:pid/:location/:evse', express.json({ limit: '1mb' }), (req, res) => {
  res.json({ status_code: 1000, data: null, received: (req.body as { status?: string }).status, timestamp: new Date().toISOString() });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
});
