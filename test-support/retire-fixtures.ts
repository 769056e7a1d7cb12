/**
 * Retire report data built by hand for the renderer tests: an image retired in us-east-1 with one
 * 8 GiB snapshot deleted ($0.40 a month saved), and a retire run over regions that checked launch
 * templates, unless told otherwise.
 */
import type { RegionReport, RetiredImage, RunReport } from '../src/model.js'
import { emptyRegion } from '../src/steps/regions.js'

/** `ami-000000000000000<id>` (`golden-<id>`), disabled 2026-10-01 08:30 UTC, its snapshot `snap-000000000<id>`. */
export function retiredImage(id: string, over: Partial<RetiredImage> = {}): RetiredImage {
  return {
    region: 'us-east-1',
    imageId: `ami-000000000000000${id}`,
    name: `golden-${id}`,
    disabledAt: '2026-10-01T08:30:00Z',
    snapshotsMode: 'delete',
    outcome: 'retired',
    snapshots: [{ snapshotId: `snap-000000000${id}`, sizeGiB: 8, result: 'success' }],
    freedGiB: 8,
    keptGiB: 0,
    monthlySaving: 0.4,
    ...over
  }
}

/** A `retire` run (snapshots deleted, after 30 days) over `regions`, each having checked launch templates. */
export function retireRun(
  regions: Array<Partial<RegionReport> & { region: string }>,
  over: Partial<RunReport> = {}
): RunReport {
  return {
    command: 'retire',
    dryRun: false,
    subject: regions.map((r) => r.region).join(', '),
    commentKey: 'retire',
    regions: regions.map((r) => ({ ...emptyRegion(r.region), checked: ['launch templates'], ...r })),
    retire: { retireAfterDays: 30, snapshots: 'delete' },
    ...over
  }
}
