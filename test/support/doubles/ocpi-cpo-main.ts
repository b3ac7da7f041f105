import { startOcpiCpoDouble, type OcpiCpoDoubleOptions } from './ocpi-cpo';
import { runDoubleMain } from './process';

/** Entry script: the OCPI CPO backend double as its own process (options: OcpiCpoDoubleOptions as JSON in DOUBLE_OPTIONS). */
runDoubleMain<OcpiCpoDoubleOptions>(startOcpiCpoDouble);
