/**
 * Where and for whom an EVSE is: OCPI `parking_type` (2.2.1; 2.1.1 `type` arrives converted) and the
 * EVSE's `parking_restrictions` <-> OICP AccessibilityLocation and Accessibility. OICP's Accessibility is
 * mandatory and also says whether parking costs money, which OCPI does not record: that part comes from
 * the operator's default (mapping rules) and is reported when used.
 */
import { childPath, FindingLog, type Mapped } from '../core/findings';
import { recurringText } from './recurring-text';
import { isKeyOf } from './table';
import type { OICP_ACCESSIBILITY_LOCATIONS } from '../oicp/wire/vocabulary';
import { OICP_ACCESSIBILITIES } from '../oicp/wire/vocabulary';
import type { OCPI_PARKING_TYPES} from '../ocpi/wire/vocabulary';
import { OCPI_PARKING_RESTRICTIONS } from '../ocpi/wire/vocabulary';

type OicpAccessibility = (typeof OICP_ACCESSIBILITIES)[number];
type OicpAccessibilityLocation = (typeof OICP_ACCESSIBILITY_LOCATIONS)[number];

type OcpiParkingType = (typeof OCPI_PARKING_TYPES)[number];

const PARKING_TO_OICP: Record<OcpiParkingType, OicpAccessibilityLocation | { loss: string }> = {
  ON_STREET: 'OnStreet',
  PARKING_LOT: 'ParkingLot',
  PARKING_GARAGE: 'ParkingGarage',
  UNDERGROUND_GARAGE: 'UndergroundParkingGarage',
  ALONG_MOTORWAY: { loss: 'OICP has no "along motorway" location; AccessibilityLocation is left out' },
  ON_DRIVEWAY: { loss: 'OICP has no "on driveway" location; AccessibilityLocation is left out' },
};

const OICP_TO_PARKING: Record<OicpAccessibilityLocation, OcpiParkingType> = {
  OnStreet: 'ON_STREET',
  ParkingLot: 'PARKING_LOT',
  ParkingGarage: 'PARKING_GARAGE',
  UndergroundParkingGarage: 'UNDERGROUND_GARAGE',
};

/** Restrictions that keep the public out: only customers of the site may charge. */
const RESTRICTING = new Set(['CUSTOMERS']);

interface OcpiAccessSource {
  parking_type?: string | null;
  /** false: the location is shown only to listed tokens (2.2.1). */
  publish?: boolean;
  parking_restrictions?: readonly string[] | null;
}

interface OicpAccess {
  Accessibility?: OicpAccessibility;
  AccessibilityLocation?: OicpAccessibilityLocation;
}

const accessibilityDefault = recurringText((accessibility: OicpAccessibility) => `OCPI does not say whether parking is free or paid; the operator default "${accessibility}" applies`);

/**
 * `defaultAccessibility` is the operator's answer for a public site (free or paying parking); `paths`
 * name the source fields for findings.
 */
export function ocpiToOicpAccess(
  source: OcpiAccessSource,
  defaultAccessibility: OicpAccessibility | undefined,
  paths: { location: string; evse: string } = { location: '', evse: '' },
): Mapped<OicpAccess> {
  const log = new FindingLog();
  const access: OicpAccess = {};
  const parkingPath = childPath(paths.location, 'parking_type');
  if (source.parking_type != null) {
    if (!isKeyOf(PARKING_TO_OICP, source.parking_type)) {
      log.invalid(parkingPath, `${JSON.stringify(source.parking_type)} is not an OCPI parking type`);
    } else {
      const location = PARKING_TO_OICP[source.parking_type];
      if (typeof location === 'string') access.AccessibilityLocation = location;
      else log.loss(parkingPath, location.loss);
    }
  }
  const restrictions = source.parking_restrictions ?? [];
  restrictions.forEach((restriction, i) => {
    if (!(OCPI_PARKING_RESTRICTIONS as readonly string[]).includes(restriction)) log.invalid(childPath(childPath(paths.evse, 'parking_restrictions'), i), `${JSON.stringify(restriction)} is not an OCPI parking restriction`);
  });
  if (restrictions.some((r) => RESTRICTING.has(r)) || source.publish === false) {
    access.Accessibility = 'Restricted access';
  } else if (defaultAccessibility) {
    access.Accessibility = defaultAccessibility;
    log.defaulted(parkingPath, accessibilityDefault(defaultAccessibility));
  } else {
    log.invalid(paths.location || '(location)', 'OICP needs Accessibility (free or paying public access), OCPI does not record it, and no operator default is configured');
  }
  return log.result(access);
}

export function oicpToOcpiAccess(record: { Accessibility?: string; AccessibilityLocation?: string }, path = ''): Mapped<{ parking_type?: OcpiParkingType }> {
  const log = new FindingLog();
  const result: { parking_type?: OcpiParkingType } = {};
  if (record.AccessibilityLocation !== undefined) {
    if (isKeyOf(OICP_TO_PARKING, record.AccessibilityLocation)) result.parking_type = OICP_TO_PARKING[record.AccessibilityLocation];
    else log.invalid(childPath(path, 'AccessibilityLocation'), `${JSON.stringify(record.AccessibilityLocation)} is not an OICP AccessibilityLocation`);
  }
  const accessibility = record.Accessibility;
  if (accessibility !== undefined) {
    const at = childPath(path, 'Accessibility');
    if (!(OICP_ACCESSIBILITIES as readonly string[]).includes(accessibility)) log.invalid(at, `${JSON.stringify(accessibility)} is not an OICP Accessibility`);
    else if (accessibility !== 'Free publicly accessible') log.loss(at, `OCPI has no field for "${accessibility}"`);
  }
  return log.result(result);
}
