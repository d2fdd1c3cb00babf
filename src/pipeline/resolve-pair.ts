/**
 * Opening the two images of a compare: both references resolved to a platform's manifest and config,
 * their sources kept open for the layer scan, and closed whatever happens.
 */
import { type OpenSourceOptions, openSource, parseImageReference } from '../source/open.js';
import type { ImageSource, PlatformRequest, ResolvedImage } from '../source/types.js';

export interface OpenedImage {
  source: ImageSource;
  image: ResolvedImage;
}

export interface ResolveOptions {
  /** Default linux/amd64 (the source decides and says which it picked). */
  platform?: PlatformRequest;
  /** Credentials, timeouts, insecure registries: passed to openSource for both images. */
  sourceOptions?: OpenSourceOptions;
}

/**
 * Open and resolve both references (concurrently). The caller closes the sources (`closeAll`) once
 * it has read what it needs from them, e.g. layer blobs for the binary scan.
 */
export async function resolveBoth(
  oldReference: string,
  newReference: string,
  options: ResolveOptions = {},
): Promise<{ old: OpenedImage; new: OpenedImage }> {
  // Parse both first: a typo in the second reference should not cost a network round trip.
  parseImageReference(oldReference);
  parseImageReference(newReference);
  const open = async (text: string): Promise<OpenedImage> => {
    // The text, not the parsed reference: a failure on a name that is a local directory says oci:DIR.
    const source = await openSource(text, options.sourceOptions);
    try {
      return { source, image: await source.resolve(options.platform) };
    } catch (error) {
      await source.close();
      throw error;
    }
  };
  // Settle both before deciding, so a failure on one side never leaves the other source open.
  const [oldResult, newResult] = await Promise.allSettled([open(oldReference), open(newReference)]);
  if (oldResult.status === 'fulfilled' && newResult.status === 'fulfilled') {
    return { old: oldResult.value, new: newResult.value };
  }
  await closeAll([oldResult, newResult].flatMap((r) => (r.status === 'fulfilled' ? [r.value.source] : [])));
  throw oldResult.status === 'rejected' ? oldResult.reason : (newResult as PromiseRejectedResult).reason;
}

export async function closeAll(sources: ImageSource[]): Promise<void> {
  await Promise.allSettled(sources.map((s) => s.close()));
}
