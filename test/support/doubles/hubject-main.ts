import { startHubjectDouble, type HubjectDoubleOptions } from './hubject';
import { runDoubleMain } from './process';

/** Entry script: the Hubject double as its own process (options: HubjectDoubleOptions as JSON in DOUBLE_OPTIONS). */
runDoubleMain<HubjectDoubleOptions>(startHubjectDouble);
