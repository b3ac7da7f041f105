/**
 * The layers of the bridge, lowest first: a module may import from its own layer and the layers below,
 * never from a layer above, and no import may close a cycle. `npm test` runs this (npm run lint:layers).
 *
 *   core        findings, TypeBox helpers, logging, the exchange trace's scope (shared by both protocols)
 *   wire        per protocol: schemas, vocabularies, grammars, status codes, the OICP operation table
 *   mapping     pure translations between the protocols and between OCPI versions, the mapping rules
 *   config      the configuration schema (it embeds the mapping rules)
 *   infra       the store, HTTP body handling, metrics and request context
 *   transport   OCPI party (router, client, peer, receivers, senders), OICP client and server, SOAP edge
 *   flows       the CPO and EMP flows behind their ports, the outbox worker, operator actions
 *   runtime     wiring, HTTP server, CLI, simulators, translate
 */
const LAYERS = [
  ['core', '^src/core/|^src/observability/logger\\.ts$'],
  ['wire', '^src/(ocpi|oicp)/wire/'],
  ['mapping', '^src/mapping/'],
  ['config', '^src/config/'],
  ['infra', '^src/(store|http)/|^src/observability/(metrics|request-context)\\.ts$'],
  ['transport', '^src/(ocpi|oicp)/'],
  ['flows', '^src/(flows|admin)/'],
  ['runtime', '^src/'],
];

/** Modules of a layer: its pattern, minus the patterns of the layers listed before it (their more specific paths). */
const inLayer = (index) => ({ path: LAYERS[index][1], pathNot: LAYERS.slice(0, index).map(([, p]) => p) });

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can change without the other.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...LAYERS.slice(0, -1).map(([name], index) => ({
      name: `${name}-imports-upward`,
      severity: 'error',
      comment: `${name} may import only from its own layer and those below it.`,
      from: inLayer(index),
      to: { path: LAYERS.slice(index + 1).map(([, p]) => p), pathNot: LAYERS.slice(0, index + 1).map(([, p]) => p) },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
