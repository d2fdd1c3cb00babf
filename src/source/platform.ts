/** Platform grammar (`os/arch[/variant]`) and picking one image out of an index (docs/design.md §7). */
import { ErrorCode, UsageError } from '../errors.js';
import type { Descriptor, Platform, PlatformRequest } from './types.js';

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

const PART_RE = /^[a-z0-9_.-]+$/;

/** `linux/arm64/v8` → { os, architecture, variant }; throws UsageError on anything else. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !PART_RE.test(p))) {
    throw new UsageError(`invalid platform "${text}"`, {
      hint: 'expected os/arch[/variant], e.g. linux/arm64',
    });
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

export function formatPlatform(platform: Platform): string {
  return `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
}

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  i386: '386',
};

/**
 * The canonical form used for comparing (containerd's normalisation): arch aliases resolved, arm64's
 * default variant v8 and amd64's v1 dropped, arm without a variant taken as v7.
 */
export function normalizePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  const architecture =
    ARCH_ALIASES[platform.architecture.toLowerCase()] ?? platform.architecture.toLowerCase();
  let variant = platform.variant?.toLowerCase() || undefined;
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined;
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  if (architecture === 'arm' && variant === undefined) variant = 'v7';
  if (architecture === 'arm' && variant !== undefined && /^\d$/.test(variant)) variant = `v${variant}`;
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** Does `candidate` satisfy what the user asked for? A request without variant accepts any variant. */
export function platformMatches(requested: Platform, candidate: Platform): boolean {
  const want = normalizePlatform(requested);
  const have = normalizePlatform(candidate);
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  if (requested.variant === undefined) return true;
  return want.variant === have.variant;
}

/** Build attestations and other non-image entries of an index (BuildKit marks them two ways). */
export function isAttestation(descriptor: Descriptor): boolean {
  if (descriptor.annotations?.['vnd.docker.reference.type'] !== undefined) return true;
  return descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown';
}

export interface PlatformChoice {
  chosen: Descriptor;
  /** The platform the chosen entry declares. */
  platform: Platform;
  /** Every image platform the index offers, attestations excluded, in index order. */
  available: Platform[];
}

/**
 * Pick the entry for `requested` among an index's image entries. Without a request, linux/amd64 is
 * the default; an index with a single image platform yields that one. Prefers an exact variant match
 * (e.g. arm64 without variant over arm64/v8 when both exist and none was asked for).
 */
export function selectPlatform(
  entries: Descriptor[],
  requested: PlatformRequest | undefined,
  where: string,
): PlatformChoice {
  const images = entries.filter((e) => !isAttestation(e));
  const withPlatform = images.map((d) => ({
    d,
    p: d.platform ?? { os: 'unknown', architecture: 'unknown' },
  }));
  const available = withPlatform.map((x) => x.p);
  if (requested === 'any' && withPlatform[0] !== undefined)
    return { chosen: withPlatform[0].d, platform: withPlatform[0].p, available };
  const want = requested === undefined || requested === 'any' ? DEFAULT_PLATFORM : requested;
  const matches = withPlatform.filter((x) => platformMatches(want, x.p));
  const exact = matches.find((x) => {
    const a = normalizePlatform(x.p);
    const b = normalizePlatform(want);
    return a.variant === b.variant;
  });
  const pick =
    exact ??
    matches[0] ??
    (requested === undefined && withPlatform.length === 1 ? withPlatform[0] : undefined);
  if (withPlatform.length === 0) {
    throw new UsageError(
      `not an image: ${where} lists no image${entries.length > 0 ? ` (only ${entries.length} attestation or artifact entries)` : 's'}`,
      {
        code: ErrorCode.NOT_AN_IMAGE_OF_PLATFORM,
        hint: 'layerdelta compares container images; name an image tag or digest',
      },
    );
  }
  if (pick === undefined) {
    const list = available.length > 0 ? available.map(formatPlatform).join(', ') : 'none';
    throw new UsageError(`platform ${formatPlatform(want)} not found in ${where}; available: ${list}`, {
      code: ErrorCode.NOT_AN_IMAGE_OF_PLATFORM,
      hint: 'choose one with --platform os/arch[/variant]',
    });
  }
  return { chosen: pick.d, platform: pick.p, available };
}
