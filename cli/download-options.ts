/**
 * The flags every `llmcore data <set>` download shares (caps and timeouts), with the same names,
 * parsing and help everywhere, so a later data set (Fashion-MNIST) only says its defaults.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatBytes, type DownloadLimits, type LimitNames } from '../src/data/download.js';
import { parseDuration, formatSeconds } from './options.js';

const UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

/**
 * A size: "50MB", "1.5 GB", "512KiB", "20M" or plain bytes; always more than zero.
 * @example parseSize('50MB') // 50000000
 */
export function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError(`expected a size like 50MB, 1.5GB, 512KiB or a number of bytes, got '${value}'`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!(bytes > 0)) throw new InvalidArgumentError(`expected a size above zero, got '${value}'`);
  return bytes;
}

/** The names the messages of src/data/download.ts give to the limits. */
export const LIMIT_FLAGS: Required<LimitNames> = {
  maxBytes: '--max-download',
  idleTimeout: '--timeout',
  maxTime: '--max-time',
  maxUnpacked: '--max-unpacked',
};

/** What the flags hold once parsed: bytes and seconds. */
export interface DownloadFlags {
  maxDownload: number;
  maxUnpacked: number;
  timeout: number;
  maxTime: number;
}

/** The limits of src/data/download.ts from the parsed flags. */
export function downloadLimits(o: Partial<DownloadFlags>): Partial<DownloadLimits> {
  return { maxBytes: o.maxDownload, idleTimeout: o.timeout, maxTime: o.maxTime };
}

/**
 * Adds --max-download, --max-unpacked, --timeout and --max-time with these defaults (shown in --help).
 * `maxUnpacked` may bound the parsed value (a text read as one string has V8's limit).
 */
export function addDownloadOptions(cmd: Command, defaults: DownloadFlags, what: { unpacked: string; maxUnpackedLimit?: { bytes: number; why: string } }): Command {
  const limit = what.maxUnpackedLimit;
  const unpacked = (v: string): number => {
    const n = parseSize(v);
    if (limit && n > limit.bytes) throw new InvalidArgumentError(`at most ${formatBytes(limit.bytes)} (${limit.why}), got '${v}'`);
    return n;
  };
  return cmd
    .addOption(new Option('--max-download <size>', 'refuse a download larger than this (sizes: 50MB, 1.5GB, 512KiB, bytes)').argParser(parseSize).default(defaults.maxDownload, formatBytes(defaults.maxDownload)))
    .addOption(new Option('--max-unpacked <size>', `refuse ${what.unpacked} larger than this once decompressed (a zip bomb stops here)`).argParser(unpacked).default(defaults.maxUnpacked, formatBytes(defaults.maxUnpacked)))
    .addOption(new Option('--timeout <duration>', 'give up when the server sends nothing for this long, before answering or mid-download (45s, 2m, seconds)').argParser(parseDuration).default(defaults.timeout, formatSeconds(defaults.timeout)))
    .addOption(new Option('--max-time <duration>', 'give up when the whole download takes longer than this').argParser(parseDuration).default(defaults.maxTime, formatSeconds(defaults.maxTime)));
}
