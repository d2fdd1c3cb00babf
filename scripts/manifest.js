#!/usr/bin/env node
/**
 * Writes oclif.manifest.json from the built commands (what `oclif manifest` does), so that start-up
 * reads one JSON file instead of importing every command and its dependencies to list them
 * (docs/design.md §8). Run by `npm run build`, after tsc; the file is generated, not committed.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
