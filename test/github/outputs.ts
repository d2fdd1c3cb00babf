/** Reading what a step left for the runner, as GitHub's docs define the files (not with our writer). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `$GITHUB_OUTPUT`: `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks. */
export function parseStepOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`unterminated output ${heredoc[1]}`);
      outputs[heredoc[1]!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not an output line: ${line}`);
    outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

/** The demo pair's compressed sizes, from the OCI layout's own manifests. */
export function demoCompressedSizes(demo: string): { v1: number; v2: number } {
  const index = JSON.parse(readFileSync(join(demo, 'index.json'), 'utf8')) as {
    manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
  };
  const size = (tag: string) => {
    const d = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag)!;
    const manifest = JSON.parse(readFileSync(join(demo, 'blobs', 'sha256', d.digest.slice(7)), 'utf8')) as {
      layers: Array<{ size: number }>;
    };
    return manifest.layers.reduce((sum, l) => sum + l.size, 0);
  };
  return { v1: size('v1'), v2: size('v2') };
}
