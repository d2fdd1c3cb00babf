/**
 * The rules table of advice (issue 18): every rule is one small function from the analysed image(s) to
 * its items. A rule's key is its name in the JSON (`rule`) and in the metric's one label.
 */
import { goCgo, goDuplicate, goRace, goStrip, goToolchain, goTrimpath } from './go-rules.js';
import { buildToolchains, docsManLocale, hiddenBytes, packageManagerLeftovers } from './image-rules.js';
import type { AdviceInput, AdviceItem, AdviceRuleFunction } from './types.js';

export const RULES = {
  'go-strip': goStrip,
  'go-duplicate': goDuplicate,
  'go-race': goRace,
  'go-cgo': goCgo,
  'go-trimpath': goTrimpath,
  'go-toolchain': goToolchain,
  'hidden-bytes': hiddenBytes,
  'package-manager-leftovers': packageManagerLeftovers,
  'docs-man-locale': docsManLocale,
  'build-toolchains': buildToolchains,
} satisfies Record<string, AdviceRuleFunction>;

export type AdviceRule = keyof typeof RULES;

export const RULE_NAMES = Object.keys(RULES) as AdviceRule[];

/** Every rule's items, the largest saving first (then by rule and title, so the order is stable). */
export function advise(input: AdviceInput): AdviceItem[] {
  const items = RULE_NAMES.flatMap((name) => RULES[name](input));
  return items.sort(
    (a, b) =>
      b.savableBytes - a.savableBytes ||
      RULE_NAMES.indexOf(a.rule as AdviceRule) - RULE_NAMES.indexOf(b.rule as AdviceRule) ||
      (a.title < b.title ? -1 : a.title > b.title ? 1 : 0),
  );
}

/** Bytes the items would save together. Rules do not count the same bytes twice (see each rule). */
export function savableBytes(items: readonly AdviceItem[]): number {
  return items.reduce((total, item) => total + item.savableBytes, 0);
}

/** Savable bytes per rule, every rule present (0 when it has no item): the metric's series. */
export function savableByRule(items: readonly AdviceItem[]): Record<AdviceRule, number> {
  const totals = Object.fromEntries(RULE_NAMES.map((name) => [name, 0])) as Record<AdviceRule, number>;
  for (const item of items) totals[item.rule as AdviceRule] += item.savableBytes;
  return totals;
}
