/**
 * The running collector's own status: from its monitor (`/api/status`, when `l2h start --ui`
 * bound one) or from the status file it rewrites every second. Both are the collector's numbers;
 * the monitor is preferred because it is current to the request.
 */
import { readFile, stat } from 'node:fs/promises';
import { assessStatus } from '../collector/monitor/assess.js';
import type { Assessment, CollectorStatus } from '../collector/monitor/status.js';
import { errorMessage } from '../common/errors.js';

export interface StatusReading {
  readonly status: CollectorStatus;
  readonly assessment: Assessment;
  readonly source: 'monitor' | 'status-file';
  /** Where it came from: the URL or the file. */
  readonly from: string;
  /** How old the reading is (ms since the collector wrote it). */
  readonly ageMs: number;
}

function isStatus(v: unknown): v is CollectorStatus {
  return typeof v === 'object' && v !== null && (v as { schema?: unknown }).schema === 'l2h.status/1';
}

export async function readStatusFile(
  path: string,
  nowMs = Date.now(),
): Promise<StatusReading | { error: string }> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const v: unknown = JSON.parse(text);
    if (!isStatus(v)) return { error: `${path} is not a collector status (schema l2h.status/1)` };
    return {
      status: v,
      assessment: assessStatus(v),
      source: 'status-file',
      from: path,
      ageMs: Math.max(0, nowMs - info.mtimeMs),
    };
  } catch (err) {
    return { error: `cannot read ${path}: ${errorMessage(err)}` };
  }
}

export async function readMonitorStatus(
  baseUrl: string,
  token: string | undefined,
  timeoutMs = 2000,
): Promise<StatusReading | { error: string }> {
  const url = new URL('/api/status', baseUrl).toString();
  try {
    const res = await fetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { error: `${url} answered ${res.status}` };
    const v: unknown = await res.json();
    if (!isStatus(v)) return { error: `${url} did not return a collector status` };
    return { status: v, assessment: assessStatus(v), source: 'monitor', from: url, ageMs: 0 };
  } catch (err) {
    return { error: `${url}: ${errorMessage(err)}` };
  }
}

/** `/health`: the HTTP status (200 ok or degraded, 503 down), or the error when it did not answer. */
export async function probeHealth(
  baseUrl: string,
  token: string | undefined,
  timeoutMs = 2000,
): Promise<number | { error: string }> {
  const url = new URL('/health', baseUrl).toString();
  try {
    const res = await fetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    return { error: `${url}: ${errorMessage(err)}` };
  }
}
