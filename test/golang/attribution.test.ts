/**
 * Package and module attribution from symbol names (rules of debug/gosym's Sym.PackageName and the
 * linker's escaping), and module totals checked against `go version -m` of real binaries.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeGoBinary } from '../../src/golang/analyze.js';
import {
  ASM_PACKAGE,
  C_PACKAGE,
  GENERATED_PACKAGE,
  ModulePaths,
  ModuleResolver,
  maskBrackets,
  packageOf,
  STD_MODULE,
  UNKNOWN_MODULE,
} from '../../src/golang/attribution.js';
import { some, type TestBinary, testBinaries } from './support/binaries.js';
import { goVersionM } from './support/toolchain.js';

describe('package of a symbol name', () => {
  it.each([
    ['runtime.mallocgc', 'runtime'],
    ['net/http.(*conn).serve', 'net/http'],
    ['net/http.(*conn).serve.func1', 'net/http'],
    ['github.com/a/b.(*T[go.shape.int,go.shape.string]).M', 'github.com/a/b'],
    ['example.com/greet.Swap[go.shape.string,go.shape.int]', 'example.com/greet'],
    ['slices.partitionCmpFunc[go.shape.struct { Name string; Path []main.x }]', 'slices'],
    ['gopkg.in/yaml%2ev3.(*parser).parse', 'gopkg.in/yaml.v3'],
    ['vendor/golang.org/x/net/dns/dnsmessage.(*Parser).Question', 'vendor/golang.org/x/net/dns/dnsmessage'],
    ['main.main', 'main'],
    ['type:.eq.main.T', GENERATED_PACKAGE],
    ['type..eq.[2]interface {}', GENERATED_PACKAGE],
    ['go:buildid', GENERATED_PACKAGE],
    ['cmpbody', ASM_PACKAGE],
  ])('%s → %s', (symbol, pkg) => {
    expect(packageOf(symbol)).toBe(pkg);
  });

  it('code without a pcsp table is C, dots in its name or not', () => {
    expect(packageOf('x_cgo_init', false)).toBe(C_PACKAGE);
    expect(packageOf('_ZN11__sanitizer11CheckFailedEPKciS1_yy.cold', false)).toBe(C_PACKAGE);
  });

  // Names as the compiler builds them (cmd/compile ir.MethodSymSuffix); the binaries that hold them
  // are checked against go tool nm in linker-naming.test.ts.
  const modules = new ModulePaths(['example.com/app', 'gopkg.in/yaml.v3', 'gopkg.in/DataDog/dd-trace-go.v1']);
  it.each([
    ['text/template.(*Template).text/template/parse.action', 'text/template'],
    ['text/template.Template.text/template/parse.action', 'text/template'],
    ['main.(*Both).example.com/app/hidden.bump', 'main'],
    ['main.both.example.com/app/hidden.bump', 'main'],
    ['example.com/app/x.(*T).example.com/app/hidden.bump', 'example.com/app/x'],
    ['example.com/app/x.T.text/template/parse.action', 'example.com/app/x'],
    ['gopkg.in/yaml%2ev3.(*parser).parse', 'gopkg.in/yaml.v3'],
    [
      'gopkg.in/DataDog/dd-trace-go.v1/ddtrace/tracer.(*span).Finish',
      'gopkg.in/DataDog/dd-trace-go.v1/ddtrace/tracer',
    ],
    ['vendor/golang.org/x/net/http2/hpack.(*Decoder).Write', 'vendor/golang.org/x/net/http2/hpack'],
    ['github.com/unlisted/mod/pkg.F', 'github.com/unlisted/mod/pkg'],
    ['go.struct { go/types.Object; *text/template.Template }.Name', GENERATED_PACKAGE],
    ['go.(*struct { io.Reader; io.Closer }).Close', GENERATED_PACKAGE],
    ['go:(*struct { io.Reader; io.Closer }).Close', GENERATED_PACKAGE],
    ['go.buildid', GENERATED_PACKAGE],
  ])('%s → %s (linker naming)', (symbol, pkg) => {
    expect(packageOf(symbol, true, modules)).toBe(pkg);
  });

  it('a module under go. is a module, not the go pseudo-package', () => {
    expect(packageOf('go.uber.org/zap.(*Logger).Info', true, new ModulePaths(['go.uber.org/zap']))).toBe(
      'go.uber.org/zap',
    );
  });

  it('masks nested generic brackets', () => {
    expect(maskBrackets('a.F[b.G[c.H],d.I].func1')).toBe('a.F[...].func1');
  });
});

describe('module of a package', () => {
  const resolver = new ModuleResolver({
    goVersion: 'go1.23.0',
    path: 'example.com/app/cmd/app',
    main: { path: 'example.com/app', version: '(devel)' },
    deps: [
      { path: 'github.com/aws/aws-sdk-go', version: 'v1.44.0' },
      { path: 'github.com/aws/aws-sdk-go/service/s3', version: 'v1.0.0' },
    ],
    settings: [],
  });
  it.each([
    ['example.com/app/internal/x', 'example.com/app'],
    ['main', 'example.com/app'],
    ['github.com/aws/aws-sdk-go/aws', 'github.com/aws/aws-sdk-go'],
    ['github.com/aws/aws-sdk-go/service/s3/s3manager', 'github.com/aws/aws-sdk-go/service/s3'],
    ['github.com/aws/aws-sdk-go-v2/aws', UNKNOWN_MODULE],
    ['net/http', STD_MODULE],
    ['vendor/golang.org/x/net/http2/hpack', STD_MODULE],
    [GENERATED_PACKAGE, GENERATED_PACKAGE],
  ])('%s → %s', (pkg, mod) => {
    expect(resolver.moduleOf(pkg)).toBe(mod);
  });
});

describe('attribution in real binaries', () => {
  let binaries: TestBinary[] = [];
  beforeAll(async () => {
    binaries = await testBinaries();
  }, 900_000);

  it('every module with code is the main module, a dependency of go version -m, or a labelled pseudo-module', async () => {
    for (const b of some(binaries, (x) => x.stripped)) {
      const info = await goVersionM(b.file);
      const known = new Set([info.main?.path, ...info.deps.map((d) => d.path)]);
      const r = analyzeGoBinary(readFileSync(b.file));
      for (const m of r.modules) {
        const ok = known.has(m.name) || m.name === STD_MODULE || m.name.startsWith('(');
        expect(ok, `${b.file}: ${m.name}`).toBe(true);
      }
      expect(r.modules.find((m) => m.name === info.main?.path)?.bytes, b.file).toBeGreaterThan(0);
      expect(
        r.modules.some((m) => m.name === UNKNOWN_MODULE),
        b.file,
      ).toBe(false);
    }
  });
});
