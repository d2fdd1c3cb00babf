import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBar } from '../../src/cli/progress.js';

/** A stream that says it is (or is not) a terminal, recording what is written to it. */
function terminal(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY, columns: 100 });
  return { stream, written: () => text };
}

describe('createProgressBar', () => {
  it('draws bytes and layers on a terminal, and erases the line when finished', () => {
    const { stream, written } = terminal(true);
    const bar = createProgressBar({ stream });
    expect(bar).toBeDefined();
    bar?.update({ bytesDone: 5_000_000, bytesTotal: 20_000_000, layersDone: 1, layersTotal: 4 });
    expect(written()).toContain('5.0/20.0 MB, 1/4 scanned');
    expect(written()).toContain('[######------------------]');
    bar?.update({ bytesDone: 20_000_000, bytesTotal: 20_000_000, layersDone: 4, layersTotal: 4 });
    expect(written()).toContain('20.0/20.0 MB, 4/4 scanned');
    bar?.finish();
    expect(written().endsWith('\r\x1b[K')).toBe(true);
  });

  it('is absent when stderr is not a terminal, or with --quiet', () => {
    expect(createProgressBar({ stream: terminal(false).stream })).toBeUndefined();
    expect(createProgressBar({ stream: terminal(true).stream, quiet: true })).toBeUndefined();
  });
});
