/**
 * Instruments of image hosting (DESIGN §6, §11): images and bytes stored, images the gateway could not
 * host (the caller got the upstream URL instead), and files the local store removed — evicted for the
 * disk cap or swept for retention.
 */
import { metrics, type Counter, type Meter } from '@opentelemetry/api';

export interface AssetMetrics {
  /** Images stored, by `store` and `source` (url: downloaded from the upstream; inline: from b64). */
  readonly stored: Counter;
  readonly storedBytes: Counter;
  /** Images delivered without hosting, by `store` and `reason` (fetch_refused, fetch_failed, too_large, store_failed). */
  readonly hostingFailures: Counter;
  /** Files removed by the local store, by `cause` (disk_cap, retention). */
  readonly removed: Counter;
  readonly removedBytes: Counter;
}

export const ASSET_METRIC = {
  stored: 'seedream.assets.stored',
  storedBytes: 'seedream.assets.stored.bytes',
  hostingFailures: 'seedream.assets.hosting_failures',
  removed: 'seedream.assets.removed',
  removedBytes: 'seedream.assets.removed.bytes',
} as const;

/** Instruments from `meter`, or from the global meter provider (no-ops while telemetry is off). */
export function createAssetMetrics(meter: Meter = metrics.getMeter('seedream-gateway')): AssetMetrics {
  return {
    stored: meter.createCounter(ASSET_METRIC.stored, { unit: '{image}', description: 'Images stored by the gateway, by store and source.' }),
    storedBytes: meter.createCounter(ASSET_METRIC.storedBytes, { unit: 'By', description: 'Bytes of images stored by the gateway.' }),
    hostingFailures: meter.createCounter(ASSET_METRIC.hostingFailures, {
      unit: '{image}',
      description: 'Images delivered without hosting (the caller got the upstream URL or inline data and a warning), by reason.',
    }),
    removed: meter.createCounter(ASSET_METRIC.removed, { unit: '{image}', description: 'Images the local store removed, by cause (disk_cap, retention).' }),
    removedBytes: meter.createCounter(ASSET_METRIC.removedBytes, { unit: 'By', description: 'Bytes the local store removed, by cause.' }),
  };
}
