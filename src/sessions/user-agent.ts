import { UAParser } from "ua-parser-js";

export interface ParsedUserAgent {
  /** Name and major version, e.g. "Firefox 120". */
  browser: string | null;
  /** Name and version when known, e.g. "Ubuntu", "iOS 17.1", "Windows 10". */
  os: string | null;
  /** "desktop", "mobile", "tablet", "smarttv", "console", "wearable", …; null when unknown. */
  device: string | null;
}

const joined = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(" ") || null;

/**
 * What a User-Agent header says about the browser, OS and device class (pure, no I/O).
 * ua-parser-js leaves the device type empty for desktops, so a recognized browser or OS without
 * a device type counts as "desktop"; an unrecognized string gives all nulls.
 */
export function parseUserAgent(userAgent: string | null | undefined): ParsedUserAgent {
  if (!userAgent) return { browser: null, os: null, device: null };
  const { browser, os, device } = UAParser(userAgent);
  const recognized = Boolean(browser.name || os.name);
  return {
    browser: joined(browser.name, browser.major),
    os: joined(os.name, os.version),
    device: device.type ?? (recognized ? "desktop" : null),
  };
}
