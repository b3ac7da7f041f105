/**
 * EVSE status, OCPI (2.1.1 and 2.2.1 share the values) <-> OICP 2.3, by explicit tables. The choices
 * follow ../shared/spec/mapping.md §4.1; where a value has no counterpart the outcome says so instead of
 * picking something.
 */
import { childPath, FindingLog, type Mapped } from '../core/findings';
import { ocpiEvseIdOf } from './identifiers';
import { isKeyOf } from './table';
import type { OICP_EVSE_STATUSES } from '../oicp/wire/vocabulary';
import type { OCPI_EVSE_STATUSES } from '../ocpi/wire/vocabulary';

type OcpiEvseStatus = (typeof OCPI_EVSE_STATUSES)[number];

type OicpEvseStatus = (typeof OICP_EVSE_STATUSES)[number];

/** What an OCPI EVSE status means toward Hubject. */
type ToOicpStatus =
  /** `rule`: the entry came from the operator's mapping rules, not this table. */
  | { outcome: 'status'; status: OicpEvseStatus; loss?: string; rule?: string }
  /** Not live yet: push neither status nor EVSE data until it is. */
  | { outcome: 'withhold'; reason: string }
  /** Gone: delete the EVSE's data record (PushEvseData delete); a status would be meaningless. */
  | { outcome: 'delete'; reason: string }
  | { outcome: 'unmapped'; reason: string };

type ToOcpiStatus = { outcome: 'status'; status: OcpiEvseStatus; loss?: string; rule?: string } | { outcome: 'unmapped'; reason: string };

/** Operator overrides of single table entries (mapping rules `status`). */
export interface StatusOverrides {
  toOicp?: Partial<Record<OcpiEvseStatus, OicpEvseStatus>>;
  toOcpi?: Partial<Record<OicpEvseStatus, OcpiEvseStatus>>;
}

const OCPI_TO_OICP: Record<OcpiEvseStatus, ToOicpStatus> = {
  AVAILABLE: { outcome: 'status', status: 'Available' },
  CHARGING: { outcome: 'status', status: 'Occupied' },
  // The spot is physically blocked (a parked car): unusable like an occupied one, and not broken.
  BLOCKED: { outcome: 'status', status: 'Occupied', loss: 'OICP has no "blocked" state; BLOCKED is sent as Occupied' },
  RESERVED: { outcome: 'status', status: 'Reserved' },
  INOPERATIVE: { outcome: 'status', status: 'OutOfService' },
  OUTOFORDER: { outcome: 'status', status: 'OutOfService', loss: 'OICP does not tell broken (OUTOFORDER) from temporarily unavailable (INOPERATIVE)' },
  PLANNED: { outcome: 'withhold', reason: 'OICP has no "planned" state; the EVSE stays off Hubject until it is live' },
  REMOVED: { outcome: 'delete', reason: 'a removed EVSE is deleted from Hubject (PushEvseData delete), not given a status' },
  UNKNOWN: { outcome: 'status', status: 'Unknown' },
};

const OICP_TO_OCPI: Record<OicpEvseStatus, ToOcpiStatus> = {
  Available: { outcome: 'status', status: 'AVAILABLE' },
  Reserved: { outcome: 'status', status: 'RESERVED' },
  // OCPI has no plain "occupied"; an occupied EVSE is almost always one that is charging.
  Occupied: { outcome: 'status', status: 'CHARGING', loss: 'OICP Occupied does not say whether a vehicle charges or only blocks the spot; sent as CHARGING' },
  // INOPERATIVE (not usable now) claims less than OUTOFORDER (broken), which OICP does not assert.
  OutOfService: { outcome: 'status', status: 'INOPERATIVE' },
  EvseNotFound: { outcome: 'status', status: 'UNKNOWN', loss: 'Hubject does not know this EVSE (EvseNotFound); its status is UNKNOWN' },
  Unknown: { outcome: 'status', status: 'UNKNOWN' },
};

export function ocpiToOicpStatus(status: string, overrides: StatusOverrides = {}): ToOicpStatus {
  if (!isKeyOf(OCPI_TO_OICP, status)) return { outcome: 'unmapped', reason: `${JSON.stringify(status)} is not an OCPI EVSE status` };
  const override = overrides.toOicp?.[status];
  return override === undefined ? OCPI_TO_OICP[status] : { outcome: 'status', status: override, rule: `${status} sent as ${override} by the mapping rules` };
}

export function oicpToOcpiStatus(status: string, overrides: StatusOverrides = {}): ToOcpiStatus {
  if (!isKeyOf(OICP_TO_OCPI, status)) return { outcome: 'unmapped', reason: `${JSON.stringify(status)} is not an OICP EvseStatus` };
  const override = overrides.toOcpi?.[status];
  return override === undefined ? OICP_TO_OCPI[status] : { outcome: 'status', status: override, rule: `${status} read as ${override} by the mapping rules` };
}

/** The OCPI fields a status push needs. */
interface OcpiEvseStatusSource {
  uid: string;
  evse_id?: string | null;
  status: string;
}

export interface OicpEvseStatusRecord {
  EvseID: string;
  EvseStatus: OicpEvseStatus;
}

/**
 * One OCPI EVSE -> one OICP EvseStatusRecord, or none (with the finding saying why). `evseId` is the
 * correlated EvseID when the caller knows one; OCPI's `evse_id` is optional, OICP's EvseID is not.
 */
export function ocpiEvseToStatusRecord(
  evse: OcpiEvseStatusSource,
  path = '',
  hints: { evseId?: string; overrides?: StatusOverrides } = {},
): Mapped<OicpEvseStatusRecord | undefined> {
  const log = new FindingLog();
  const evseId = log.take(ocpiEvseIdOf(evse, hints.evseId, path));
  if (evseId === undefined) return log.result(undefined);
  const statusPath = childPath(path, 'status');
  const mapped = ocpiToOicpStatus(evse.status, hints.overrides);
  switch (mapped.outcome) {
    case 'status':
      if (mapped.rule) log.defaulted(statusPath, mapped.rule);
      if (mapped.loss) log.loss(statusPath, mapped.loss);
      return log.result({ EvseID: evseId, EvseStatus: mapped.status });
    case 'withhold':
    case 'delete':
      log.loss(statusPath, `${evse.status}: ${mapped.reason}`);
      return log.result(undefined);
    case 'unmapped':
      log.invalid(statusPath, mapped.reason);
      return log.result(undefined);
  }
}

/** One OICP EvseStatusRecord -> the OCPI EVSE status it means, or none (with the finding saying why). */
export function oicpStatusRecordToOcpi(
  record: { EvseID: string; EvseStatus: string },
  path = '',
  overrides: StatusOverrides = {},
): Mapped<{ evse_id: string; status: OcpiEvseStatus } | undefined> {
  const log = new FindingLog();
  const mapped = oicpToOcpiStatus(record.EvseStatus, overrides);
  if (mapped.outcome === 'unmapped') {
    log.invalid(childPath(path, 'EvseStatus'), mapped.reason);
    return log.result(undefined);
  }
  if (mapped.rule) log.defaulted(childPath(path, 'EvseStatus'), mapped.rule);
  if (mapped.loss) log.loss(childPath(path, 'EvseStatus'), mapped.loss);
  return log.result({ evse_id: record.EvseID, status: mapped.status });
}
