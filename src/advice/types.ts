/** Advice (issue 18): what would make the image smaller, each step with the bytes it would save. */
import type { BinaryDelta } from '../delta/types.js';
import type { ImageFilesystem } from '../layer/filesystem.js';
import type { LayerRead } from '../layer/types.js';
import type { ImagePackages } from '../packages/types.js';
import type { ResolvedImage } from '../source/types.js';

/** One image as the rules see it: its layers (with their instructions), their scans and the final filesystem. */
export interface AnalysedImage {
  image: ResolvedImage;
  /** One scan per layer, in manifest order. */
  scans: LayerRead[];
  filesystem: ImageFilesystem;
  /** The package view (src/packages/read.ts), when the caller read it: build-toolchains names packages. */
  packages?: ImagePackages;
}

/** What a rule is given: the image to advise on and, for compare and check, its baseline. */
export interface AdviceInput {
  image: AnalysedImage;
  baseline?: AnalysedImage;
  /** The Go binaries paired by path between baseline and image (compare and check only). */
  binaries?: BinaryDelta[];
}

/**
 * How the saving was found: `measured` from the image's own bytes; `lower-bound` when only part of the
 * saving can be seen in the image (the rest depends on a rebuild); `not-measured` when the image says a
 * change is worth making but not by how much (savableBytes is then 0).
 */
export type SavingMeasure = 'measured' | 'lower-bound' | 'not-measured';

export interface AdviceItem {
  /** The rule's name (a key of the rules table): stable, and the only label of the savable-bytes metric. */
  rule: string;
  /** One line for people: what is there and what it costs. */
  title: string;
  /** File bytes (uncompressed, as in the image's filesystem) the change would remove. */
  savableBytes: number;
  measure: SavingMeasure;
  /** What to do, e.g. `go build -ldflags="-s -w"`. */
  change: string;
  /** The facts the advice stands on: sections and sizes, paths, layers and their instructions. */
  evidence: string[];
  /** The files concerned, when there are any. */
  paths?: string[];
}

/** A rule: one small function from the analysed image(s) to its items (none when it does not apply). */
export type AdviceRuleFunction = (input: AdviceInput) => AdviceItem[];
