/**
 * The objects a Locations address names inside their location (../shared/spec/ocpi.md §4.1):
 * `{location_id}` the location, `/{evse_uid}` one of its EVSEs, `/{connector_id}` one of that
 * EVSE's connectors. Whoever keeps locations whole (the bridge's cache, the backend simulator)
 * finds and replaces the parts through these.
 */
import type { Connector, Evse, Location } from './schemas';


/** The object at `ids` (location id, EVSE uid, connector id) of `level`, if the location holds it. */
export function objectAt(location: Location | undefined, level: string, ids: readonly string[]): Location | Evse | Connector | undefined {
  if (level === 'location' || location === undefined) return location;
  const evse = location.evses?.find((e) => e.uid === ids[1]);
  return level === 'evse' ? evse : evse?.connectors.find((c) => c.id === ids[2]);
}

/** Replaces, or adds, the EVSE or connector at `ids`; false when a connector's EVSE is not there. */
export function placeAt(location: Location, level: 'evse' | 'connector', ids: readonly string[], object: Evse | Connector): boolean {
  const list: (Evse | Connector)[] | undefined = level === 'evse' ? (location.evses ??= []) : (objectAt(location, 'evse', ids) as Evse | undefined)?.connectors;
  if (list === undefined) return false;
  const id = ids[level === 'evse' ? 1 : 2];
  const at = list.findIndex((o) => ('uid' in o ? o.uid : o.id) === id);
  if (at < 0) list.push(object);
  else list[at] = object;
  return true;
}
