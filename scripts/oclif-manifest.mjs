#!/usr/bin/env node
// Writes oclif.manifest.json (what `oclif manifest` writes) for the package: with it, oclif starts
// without importing every command module, so `layerdelta --version` and `--help` start faster.
// Run by prepack after the build; postpack removes it, so a checkout never runs on a stale one.
import { writeFileSync } from 'node:fs';
import { Plugin } from '@oclif/core';

const plugin = new Plugin({ root: process.cwd(), type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
writeFileSync('oclif.manifest.json', `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.error(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands`);
