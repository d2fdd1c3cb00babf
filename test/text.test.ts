import { describe, expect, it } from 'vitest';
import { instructionText, truncate } from '../src/text.js';

describe('instructionText / truncate', () => {
  it.each([
    ['/bin/sh -c #(nop) COPY file:abc in /usr/local/bin/app ', 'COPY file:abc in /usr/local/bin/app'],
    ['/bin/sh -c apk add --no-cache  ca-certificates', 'RUN apk add --no-cache ca-certificates'],
    ['COPY app /usr/local/bin/app # buildkit', 'COPY app /usr/local/bin/app'],
    ['RUN /bin/sh -c make # buildkit', 'RUN make'],
    ['RUN |1 VERSION=2 /bin/sh -c make # buildkit', 'RUN |1 VERSION=2 /bin/sh -c make'],
    [undefined, ''],
  ])('instructionText(%j) → %j', (createdBy, text) => {
    expect(instructionText(createdBy)).toBe(text);
  });
  it('truncates with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
