/**
 * Postal address, OCPI (one `address` line, `city`, `postal_code`, `state`, `country`) <-> OICP Address
 * (Street and HouseNum apart). The house number is recognised at the end ("Claesgatan 6") or at the
 * start ("221B Baker Street") of the line; the way back writes "Street HouseNum".
 */
import type { Address } from '../oicp/wire/schemas';
import { childPath, FindingLog, type Mapped } from '../core/findings';

const NUMBER = String.raw`\d+\s?[A-Za-z]?(?:\s?[-/]\s?\d+[A-Za-z]?)?`;
const TRAILING = new RegExp(String.raw`^(.*?\S)[\s,]+(${NUMBER})$`);
const LEADING = new RegExp(String.raw`^(${NUMBER})[\s,]+(\D.*)$`);
const STREET_MAX = 100;
const HOUSE_NUM_MAX = 10;

interface OcpiAddressSource {
  address: string;
  city: string;
  postal_code?: string;
  state?: string;
  country: string;
}

export function ocpiToOicpAddress(source: OcpiAddressSource, path = ''): Mapped<Address> {
  const log = new FindingLog();
  const at = childPath(path, 'address');
  const line = source.address.trim();
  let street = line;
  let houseNum = '';
  const trailing = TRAILING.exec(line);
  const leading = LEADING.exec(line);
  if (trailing) {
    street = trailing[1]!;
    houseNum = trailing[2]!;
  } else if (leading) {
    houseNum = leading[1]!;
    street = leading[2]!;
    log.loss(at, 'the house number stands before the street; OICP does not keep the order (read back as "Street HouseNum")');
  } else {
    log.defaulted(at, 'no house number recognised in the address; OICP HouseNum left empty');
  }
  if (houseNum.length > HOUSE_NUM_MAX) {
    street = line;
    houseNum = '';
    log.loss(at, `house number longer than ${HOUSE_NUM_MAX} characters; kept in Street, HouseNum left empty`);
  }
  if (street.length > STREET_MAX) {
    log.loss(at, `OICP Street holds ${STREET_MAX} characters; the rest is cut`);
    street = street.slice(0, STREET_MAX);
  }
  const address: Address = { Country: source.country, City: source.city, Street: street, PostalCode: source.postal_code ?? '', HouseNum: houseNum };
  if (source.postal_code === undefined) log.defaulted(childPath(path, 'postal_code'), 'no postal code; OICP PostalCode is mandatory and left empty');
  if (source.state !== undefined) address.Region = source.state;
  return log.result(address);
}

export function oicpToOcpiAddress(address: Address, path = 'Address'): Mapped<OcpiAddressSource> {
  const log = new FindingLog();
  const result: OcpiAddressSource = {
    address: [address.Street.trim(), address.HouseNum.trim()].filter((part) => part !== '').join(' '),
    city: address.City,
    country: address.Country,
  };
  if (address.PostalCode !== '') result.postal_code = address.PostalCode;
  if (address.Region !== undefined) result.state = address.Region;
  if (address.ParkingFacility !== undefined) log.loss(childPath(path, 'ParkingFacility'), 'OCPI has no parking facility flag (see parking_type)');
  if (address.ParkingSpot !== undefined) log.loss(childPath(path, 'ParkingSpot'), 'OCPI has no parking spot number');
  return log.result(result);
}
