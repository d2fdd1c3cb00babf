/**
 * The build-info text parser against Go itself: every case below goes through strconv.Unquote or
 * runtime/debug.ParseBuildInfo (test/golang/testdata/modinfo, run with the reference toolchain) and
 * through ours. Cases are Go's own (strconv's quote_test.go, the rules of runtime/debug/mod.go)
 * plus the ones our earlier parser got wrong (`\'` inside double quotes, backquoted keys).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { goUnquote, parseModinfo } from '../../src/golang/buildinfo.js';
import { REPO_ROOT, referenceGo } from './support/binaries.js';

const UNQUOTE_CASES = [
  // Valid (strconv's unquotetests).
  '"abc"',
  '"☺"',
  '"hello world"',
  '"\\xFF"',
  '"\\377"',
  '"\\u1234"',
  '"\\U00010111"',
  '"\\U0001011111"',
  '"\\a\\b\\f\\n\\r\\t\\v\\\\\\""',
  '"\'"',
  '`a`',
  '`\\n`',
  '`\r\n`',
  '``',
  '""',
  // strconv's misquoted list (those without a newline, which a build line cannot hold).
  '',
  '"',
  '"a',
  '"\'',
  'b"',
  '"\\"',
  '"\\9"',
  '"\\19"',
  '"\\129"',
  "'\\'",
  "'ab'",
  '"\\x1!"',
  '"\\U12345678"',
  '"\\z"',
  '`',
  '`xxx',
  '``x\r',
  '`"',
  '"\\\'"',
  '"\\udead"',
  '"\\ud83d\\ude4f"',
  // Digits that a lenient number parser would half-read.
  '"\\u12g4"',
  '"\\x4g"',
  '"\\400"',
];

const BUILD_LINES = [
  'GOARCH=amd64',
  '-ldflags="-s -w"',
  'CGO_CFLAGS=',
  'k=a=b',
  '"key with space"=v',
  '`key with space`=v',
  '`k`=`raw value`',
  '"k=1"=2',
  '"a\\"b"=c',
  'k="\\x41\\101\\u00e9"',
  // Rejected by Go.
  '"\\\'"=x',
  'k="\\\'"',
  'k=a b',
  'a b=c',
  'k=a"b',
  '=v',
  'k',
  '"k"v',
  '"k"',
  '`k`',
  '`k=v',
  'k="\\x4"',
  'k="\\u12g4"',
  '',
];

interface GoAnswer {
  ok: boolean;
  value?: string;
  settings?: { key: string; value: string }[];
}

const modinfo = (kv: string) => `path\texample.com/p\nbuild\t${kv}\n`;

let answers: GoAnswer[] = [];

beforeAll(() => {
  const input = [
    ...UNQUOTE_CASES.map((unquote) => ({ unquote })),
    ...BUILD_LINES.map((kv) => ({ modinfo: modinfo(kv) })),
  ];
  const stdout = execFileSync(
    referenceGo(),
    ['run', join(REPO_ROOT, 'test/golang/testdata/modinfo/main.go')],
    {
      input: JSON.stringify(input),
      env: { ...process.env, GOFLAGS: '', GOTOOLCHAIN: 'local', GO111MODULE: 'on', GOPROXY: 'off' },
      encoding: 'utf8',
    },
  );
  answers = JSON.parse(stdout) as GoAnswer[];
  expect(answers).toHaveLength(input.length);
}, 600_000);

describe('goUnquote equals strconv.Unquote', () => {
  it.each(UNQUOTE_CASES.map((s, i) => [s, i] as const))('%j', (s, i) => {
    const go = answers[i];
    expect(go).toBeDefined();
    expect(goUnquote(s)).toBe(go?.ok ? (go.value ?? '') : undefined);
  });

  it('the cases hold both accepted and rejected literals', () => {
    expect(answers.slice(0, UNQUOTE_CASES.length).filter((a) => a.ok).length).toBeGreaterThan(10);
    expect(answers.slice(0, UNQUOTE_CASES.length).filter((a) => !a.ok).length).toBeGreaterThan(10);
  });
});

describe('build settings equal runtime/debug.ParseBuildInfo (a line Go rejects is dropped)', () => {
  it.each(BUILD_LINES.map((kv, i) => [kv, UNQUOTE_CASES.length + i] as const))('%j', (kv, i) => {
    const go = answers[i];
    expect(go).toBeDefined();
    expect(parseModinfo('go1.23.0', modinfo(kv)).settings).toEqual(go?.ok ? (go.settings ?? []) : []);
  });

  it('the cases hold both accepted and rejected lines', () => {
    const lines = answers.slice(UNQUOTE_CASES.length);
    expect(lines.filter((a) => a.ok && a.settings?.length === 1).length).toBeGreaterThan(5);
    expect(lines.filter((a) => !a.ok).length).toBeGreaterThan(5);
  });
});
