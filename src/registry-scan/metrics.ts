/** A scan's compared repositories as metrics inputs: one Pushgateway group per repository. */
import type { MetricsInput } from '../metrics/publish.js';
import { repositoryLabel } from '../metrics/repository.js';
import { parseReference } from '../reference/reference.js';
import type { ScanReport } from './run.js';

export function scanMetricsInputs(report: ScanReport): MetricsInput[] {
  return report.repositories.flatMap((result) =>
    result.status === 'compared'
      ? [
          {
            // `host/repository`, the same label compare and check give this repository.
            repository: repositoryLabel(parseReference(`${report.registry}/${result.repository}`)),
            delta: result.delta,
            durationSeconds: result.durationSeconds,
          },
        ]
      : [],
  );
}
