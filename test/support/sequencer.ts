/**
 * Test files in vitest's usual order (slowest or largest first), except that those which need the Debian
 * root filesystems run last: scripts/test.sh builds those in the background (mmdebstrap, minutes when
 * cold), and a file that asks for them earlier only holds a worker while it waits (fixtures/rootfs.ts).
 */
import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** What a test file calls when it needs a root filesystem built by mmdebstrap. */
const NEEDS_ROOTFS = /\bdebianFixture\(|scripts\/build-image\.[jt]s/;

function needsRootfs(file: string): boolean {
  return NEEDS_ROOTFS.test(readFileSync(file, 'utf8'));
}

export class RootfsLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const late = sorted.filter((spec) => needsRootfs(spec.moduleId));
    return [...sorted.filter((spec) => !late.includes(spec)), ...late];
  }
}
