/** Where build toolchains live in an image: shared by the build-toolchains rule and the Go rules. */

/**
 * Build toolchains: the packages that install one (dpkg names), and the directories (or a test on
 * paths) where one installed without a package (a Go tarball in /usr/local/go) lies. A package is the
 * first entry's whose pattern takes it: libgcc-12-dev is the compiler's, not a -dev header package.
 */
export const TOOLCHAINS: Array<{
  what: string;
  packages: RegExp;
  dirs: (path: string) => string | undefined;
}> = [
  {
    what: 'Go toolchain',
    packages: /^golang(?:-[\d.]+)?(?:-go|-src|-doc)?$/,
    dirs: (path) => /^\/usr\/(?:local\/go|lib\/go(?:-[\d.]+)?)(?=\/|$)/.exec(path)?.[0],
  },
  {
    what: 'C compiler (gcc)',
    // gcc-12-base is not here: every Debian image has it (libgcc-s1 needs it). libisl, libmpc and
    // libmpfr are the compiler's own libraries (cc1 links them).
    packages:
      /^(?:(?:gcc|g\+\+|cpp)(?:-\d+)?(?:-[a-z0-9_-]+-linux-gnu)?|lib(?:gcc|stdc\+\+)-\d+-dev|lib(?:isl|mpc|mpfr)\d+|binutils(?:-[a-z0-9_-]+)?|libbinutils|build-essential|make)$/,
    dirs: (path) =>
      /^\/usr\/(?:lib|libexec)\/gcc(?=\/|$)/.exec(path)?.[0] ??
      (/^\/usr\/bin\/(?:[\w-]+-linux-gnu-)?(?:gcc|g\+\+|cpp|cc1)(?:-\d+)?$/.test(path) ? path : undefined),
  },
  {
    what: 'C headers (-dev packages)',
    // rpcsvc-proto (rpcgen and its headers) comes with libc6-dev.
    packages: /^(?:[a-z0-9][a-z0-9+.-]*-dev|libc-dev-bin|rpcsvc-proto)$/,
    dirs: (path) => /^\/usr\/include(?=\/|$)/.exec(path)?.[0],
  },
];

/** Whether a path lies in a build toolchain (its binaries are then this rule's, not the Go rules'). */
export function inToolchain(path: string): boolean {
  return TOOLCHAINS.some((t) => t.dirs(path) !== undefined);
}
