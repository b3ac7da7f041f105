/** Library entry: embed the bridge or its parts in another program. */
export { ConfigError, loadConfigFile, parseConfig, type ConfigProblem } from './config/load';
export { ConfigSchema, type BridgeConfig } from './config/schema';
export { sandboxConfig } from './config/sandbox';
export { createLogger, type Logger } from './observability/logger';
export { createApp, startServer, type AppDeps, type RunningServer } from './server';
export { startBridge, type RunningBridge } from './runtime';
export { openStore, type Store, type StoreRepositories } from './store';
