/**
 * Hand-made ImageDelta values for the metrics tests: every number is written out here, so the
 * expectations in the tests come from these objects' fields, not from the code under test.
 */
import type { BinaryDelta, ImageDelta } from '../../src/delta/types.js';
import type { GoBinaryReport, SizeShare } from '../../src/golang/types.js';

function goBinary(options: {
  size: number;
  goVersion: string;
  main: string;
  cgo: boolean;
  stripped: boolean;
  trimpath: boolean;
  packages: SizeShare[];
  modules: SizeShare[];
}): GoBinaryReport {
  const settings = [
    ...(options.trimpath ? [{ key: '-trimpath', value: 'true' }] : []),
    { key: 'CGO_ENABLED', value: options.cgo ? '1' : '0' },
    { key: 'GOARCH', value: 'amd64' },
  ];
  return {
    digest: `sha256:${'ab'.repeat(32)}`,
    size: options.size,
    arch: 'amd64',
    format: 'elf64-little',
    stripped: options.stripped,
    buildInfo: {
      goVersion: options.goVersion,
      path: `${options.main}/cmd/app`,
      main: { path: options.main, version: '(devel)' },
      deps: [],
      settings,
    },
    sections: [
      { name: '.text', fileSize: options.size * 0.5, memSize: options.size * 0.5, compressed: false },
      { name: '.gopclntab', fileSize: options.size * 0.2, memSize: options.size * 0.2, compressed: false },
      { name: '.bss', fileSize: 0, memSize: 100_000, compressed: false },
      ...(options.stripped
        ? []
        : [
            {
              name: '.symtab',
              fileSize: options.size * 0.04,
              memSize: options.size * 0.04,
              compressed: false,
            },
          ]),
    ],
    pclntabVersion: 'go1.20',
    text: { textBytes: 1000, goFunctionBytes: 900, paddingBytes: 100, nonGoBytes: 0 },
    packages: options.packages,
    modules: options.modules,
  };
}

const share = (name: string, bytes: number): SizeShare => ({ name, bytes, functions: 1 });

const appOld = goBinary({
  size: 5_000_000,
  goVersion: 'go1.21.13',
  main: 'example.com/app',
  cgo: false,
  stripped: false,
  trimpath: true,
  packages: [
    share('runtime', 400_000),
    share('net/http', 300_000),
    share('main', 1000),
    share('fmt', 50_000),
  ],
  modules: [share('std', 750_000), share('example.com/app', 1000), share('golang.org/x/net', 20_000)],
});
const appNew = goBinary({
  size: 5_600_000,
  goVersion: 'go1.23.4',
  main: 'example.com/app',
  cgo: false,
  stripped: true,
  trimpath: true,
  packages: [
    share('runtime', 420_000),
    share('net/http', 380_000),
    share('main', 3000),
    share('fmt', 50_000),
    share('encoding/json', 90_000),
  ],
  modules: [share('std', 940_000), share('example.com/app', 3000), share('github.com/acme/big', 200_000)],
});
const helperNew = goBinary({
  size: 2_000_000,
  goVersion: 'go1.19.13',
  main: 'example.com/helper',
  cgo: true,
  stripped: false,
  trimpath: false,
  packages: [share('runtime', 300_000), share('main', 500)],
  modules: [share('std', 300_000), share('example.com/helper', 500)],
});

const appDelta: BinaryDelta = {
  path: '/usr/local/bin/app',
  status: 'changed',
  oldLayer: 1,
  newLayer: 2,
  old: appOld,
  new: appNew,
  delta: 600_000,
  goVersion: { old: 'go1.21.13', new: 'go1.23.4' },
  settingsChanged: [],
  modules: [{ path: 'github.com/acme/big', change: 'added', newVersion: 'v1.2.3' }],
  packages: [
    { name: 'encoding/json', oldBytes: 0, newBytes: 90_000, delta: 90_000 },
    { name: 'net/http', oldBytes: 300_000, newBytes: 380_000, delta: 80_000 },
    { name: 'runtime', oldBytes: 400_000, newBytes: 420_000, delta: 20_000 },
    { name: 'main', oldBytes: 1000, newBytes: 3000, delta: 2000 },
    { name: 'fmt', oldBytes: 50_000, newBytes: 50_000, delta: 0 },
  ],
  sections: [
    { name: '.text', oldBytes: 2_500_000, newBytes: 2_800_000, delta: 300_000 },
    { name: '.gopclntab', oldBytes: 1_000_000, newBytes: 1_120_000, delta: 120_000 },
    { name: '.bss', oldBytes: 100_000, newBytes: 100_000, delta: 0 },
    { name: '.symtab', oldBytes: 200_000, newBytes: 0, delta: -200_000 },
  ],
};

const helperDelta: BinaryDelta = {
  path: '/usr/bin/helper',
  status: 'added',
  newLayer: 3,
  new: helperNew,
  delta: 2_000_000,
  goVersion: { new: 'go1.19.13' },
  settingsChanged: [],
  modules: [],
  packages: [
    { name: 'runtime', oldBytes: 0, newBytes: 300_000, delta: 300_000 },
    { name: 'main', oldBytes: 0, newBytes: 500, delta: 500 },
  ],
  sections: [
    { name: '.text', oldBytes: 0, newBytes: 1_000_000, delta: 1_000_000 },
    { name: '.gopclntab', oldBytes: 0, newBytes: 400_000, delta: 400_000 },
    { name: '.bss', oldBytes: 0, newBytes: 100_000, delta: 100_000 },
    { name: '.symtab', oldBytes: 0, newBytes: 80_000, delta: 80_000 },
  ],
};

/** First push: app changed and helper added; both sides read uncompressed. */
export function deltaWithTwoBinaries(): ImageDelta {
  return {
    schemaVersion: 1,
    old: {
      reference: '127.0.0.1:5000/team/app:v1',
      manifestDigest: `sha256:${'01'.repeat(32)}`,
      platform: { os: 'linux', architecture: 'amd64' },
      layerCount: 3,
      compressedSize: 30_000_000,
      uncompressedSize: 80_000_000,
    },
    new: {
      reference: '127.0.0.1:5000/team/app:v2',
      manifestDigest: `sha256:${'02'.repeat(32)}`,
      platform: { os: 'linux', architecture: 'amd64' },
      layerCount: 4,
      compressedSize: 33_500_000,
      uncompressedSize: 88_000_000,
    },
    tolerance: 0.05,
    storedSizes: { comparable: true, old: ['gzip'], new: ['gzip'] },
    judgedSizes: 'compressed',
    layers: [],
    totals: {
      compressedDelta: 3_500_000,
      uncompressedDelta: 8_000_000,
      byStatus: {
        reused: { count: 2, bytes: 25_000_000 },
        changed: { count: 1, bytes: 6_000_000 },
        new: { count: 1, bytes: 2_500_000 },
        removed: { count: 0, bytes: 0 },
      },
      significantChanges: 1,
      recompressed: { count: 0, storedDelta: 0 },
    },
    binaries: [appDelta, helperDelta],
  };
}

/** Second push of the same group: helper is gone, the image shrank, no uncompressed sizes. */
export function deltaWithOneBinary(): ImageDelta {
  const first = deltaWithTwoBinaries();
  const { uncompressedSize: _unknown, ...summary } = first.new;
  return {
    ...first,
    old: summary,
    new: { ...summary, compressedSize: 32_000_000 },
    totals: {
      compressedDelta: -1_500_000,
      byStatus: {
        reused: { count: 3, bytes: 29_000_000 },
        changed: { count: 0, bytes: 0 },
        new: { count: 0, bytes: 0 },
        removed: { count: 1, bytes: 1_500_000 },
      },
      significantChanges: 0,
      recompressed: { count: 0, storedDelta: 0 },
    },
    binaries: [{ ...appDelta, status: 'unchanged', old: appNew, delta: 0, packages: [], sections: [] }],
  };
}

/** The delta with the file and OS package views (docs/design.md §11): wasted bytes and two package changes. */
export function withFilesAndPackages(delta: ImageDelta): ImageDelta {
  const wasted = (bytes: number) => ({
    bytes,
    files: 3,
    byLayer: [{ index: 0, digest: 'sha256:0', bytes, files: 3 }],
  });
  const side = (installedBytes: number, packageCount: number) => ({
    databases: [
      { ecosystem: 'dpkg' as const, path: '/var/lib/dpkg/status', status: 'read' as const, packageCount },
    ],
    packageCount,
    installedBytes,
    packageFileBytes: installedBytes,
    otherFileBytes: 1000,
  });
  return {
    ...delta,
    files: {
      old: { files: 10, bytes: 5_000, wasted: wasted(1_000) },
      new: { files: 12, bytes: 9_000, wasted: wasted(9_000_000) },
      added: { count: 2, bytes: 4_000 },
      removed: { count: 0, bytes: 0 },
      changed: { count: 0, delta: 0 },
      wastedDelta: 8_999_000,
      directories: [],
      largestDirectories: [],
      files: [],
    },
    packages: {
      old: side(100_000, 2),
      new: side(900_000, 3),
      changes: [
        {
          key: 'curl',
          ecosystem: 'dpkg',
          change: 'added',
          newVersion: '7.88.1-10',
          architecture: 'amd64',
          oldInstalledSize: 0,
          newInstalledSize: 500_000,
          installedSizeDelta: 500_000,
        },
        {
          key: 'libc6',
          ecosystem: 'dpkg',
          change: 'upgraded',
          oldVersion: '2.36-9',
          newVersion: '2.36-9+deb12u4',
          architecture: 'amd64',
          oldInstalledSize: 100_000,
          newInstalledSize: 400_000,
          installedSizeDelta: 300_000,
        },
      ],
      fileBytes: [],
      packageCountDelta: 1,
      installedBytesDelta: 800_000,
    },
  };
}
