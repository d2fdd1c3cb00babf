/** Where build toolchains live in an image: shared by the build-toolchains rule and the Go rules. */

/** Build toolchains: a directory (or a test on paths) and what it is. */
export const TOOLCHAINS: Array<{ what: string; dirs: (path: string) => string | undefined }> = [
  {
    what: 'Go toolchain',
    dirs: (path) => /^\/usr\/(?:local\/go|lib\/go(?:-[\d.]+)?)(?=\/|$)/.exec(path)?.[0],
  },
  {
    what: 'C compiler (gcc)',
    dirs: (path) =>
      /^\/usr\/(?:lib|libexec)\/gcc(?=\/|$)/.exec(path)?.[0] ??
      (/^\/usr\/bin\/(?:[\w-]+-linux-gnu-)?(?:gcc|g\+\+|cpp|cc1)(?:-\d+)?$/.test(path) ? path : undefined),
  },
  { what: 'C headers (-dev packages)', dirs: (path) => /^\/usr\/include(?=\/|$)/.exec(path)?.[0] },
];

/** Whether a path lies in a build toolchain (its binaries are then this rule's, not the Go rules'). */
export function inToolchain(path: string): boolean {
  return TOOLCHAINS.some((t) => t.dirs(path) !== undefined);
}
