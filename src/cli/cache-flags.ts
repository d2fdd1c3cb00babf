/** The cache flags every command that reads layers shares; spread into a command's `flags`. */
import { Flags } from '@oclif/core';
import { type LayerCache, openLayerCache } from '../cache/layer-cache.js';

export const cacheFlags = {
  'cache-dir': Flags.string({
    description:
      'Directory of the layer scan cache (default: $XDG_CACHE_HOME/layerdelta or ~/.cache/layerdelta).',
    helpValue: 'DIR',
  }),
  'no-cache': Flags.boolean({
    description: 'Neither read nor write the layer scan cache.',
    default: false,
  }),
};

export function layerCacheFromFlags(flags: {
  'cache-dir'?: string | undefined;
  'no-cache'?: boolean;
}): LayerCache {
  return openLayerCache({ cacheDir: flags['cache-dir'], noCache: flags['no-cache'] ?? false });
}
