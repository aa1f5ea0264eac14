import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

// Outflow targets must not turn the gateway into a proxy onto its own network (SSRF). A URL is
// checked when it is saved (scheme, no credentials, no private literal address) and every
// connection is checked again at connect time through a DNS lookup that refuses private
// addresses, so a public name that later resolves to 10.0.0.1 (DNS rebinding) is refused too.
// CONNECTORS_ALLOW_PRIVATE_TARGETS turns the address checks off (local receivers in tests).

/** Whether `address` is on the public internet (ipaddr.js's "unicast" range; IPv4-mapped IPv6 unwrapped). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === "unicast";
}

/** Why `url` cannot be a connector target, or null when it can. */
export function targetUrlProblem(url: string, allowPrivate: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (url.length > 2048) return "is longer than 2048 characters";
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "must be an http or https URL";
  if (parsed.username || parsed.password) return "must not contain credentials (use headers)";
  if (allowPrivate) return null;
  if (parsed.protocol !== "https:") return "must be https";
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local")) {
    return "must not point at a private or loopback address";
  }
  if (ipaddr.isValid(host) && !isPublicAddress(host)) return "must not point at a private or loopback address";
  return null;
}

/** A `lookup` for http(s).request that fails the connection when a resolved address is not public. */
export function guardedLookup(allowPrivate: boolean): LookupFunction | undefined {
  if (allowPrivate) return undefined;
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 4);
      const refused = addresses.find((a) => !isPublicAddress(a.address));
      if (refused) {
        const error = Object.assign(new Error(`refused: ${hostname} resolves to non-public address ${refused.address}`), {
          code: "EPRIVATETARGET",
        });
        return callback(error, "", 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
