/**
 * A small reader of the Prometheus text exposition format, used to check what the real Pushgateway
 * serves. Written from the format's spec, independent of prom-client.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace !== -1 && (space === -1 || brace < space)) {
      name = line.slice(0, brace);
      const parsed = parseLabels(line, brace + 1);
      labels = parsed.labels;
      rest = line.slice(parsed.end + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = rest.split(' ')[0] ?? '';
    samples.push({ name, labels, value: Number(value) });
  }
  return samples;
}

/** Parse `a="x",b="y\"z"}` starting at `start`; returns the labels and the index of the `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start;
  while (i < line.length) {
    if (line[i] === '}') return { labels, end: i };
    if (line[i] === ',' || line[i] === ' ') {
      i++;
      continue;
    }
    const eq = line.indexOf('=', i);
    const name = line.slice(i, eq);
    if (line[eq + 1] !== '"') throw new Error(`bad label in ${line}`);
    i = eq + 2;
    let value = '';
    while (line[i] !== '"') {
      if (line[i] === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += line[i];
        i++;
      }
      if (i >= line.length) throw new Error(`unterminated label value in ${line}`);
    }
    labels[name] = value;
    i++;
  }
  throw new Error(`unterminated label set in ${line}`);
}

/** Samples named `name` whose labels include every pair of `match`. */
export function select(samples: Sample[], name: string, match: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The single value of `name` with `match`; throws when there is not exactly one. */
export function sampleValue(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  const found = select(samples, name, match);
  if (found.length !== 1) {
    throw new Error(`${found.length} samples of ${name} ${JSON.stringify(match)}`);
  }
  return found[0]!.value;
}
