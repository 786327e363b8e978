import {
  compileConditions,
  type Condition,
  type ConditionKey,
  type VisitorContext,
} from './rules-conditions.js';
import type { Rule, Rules } from './rules-schema.js';

/**
 * Smart rules on the redirect hot path: compile a link's rules once (when it is cached), then
 * evaluate them per scan with no parsing and no string building. The first rule whose conditions
 * all match decides; otherwise the link's default destination. `explainRules` is the slow,
 * talkative twin for the simulate endpoint.
 */

export type { ConditionKey, VisitorContext } from './rules-conditions.js';
export * from './rules-schema.js';
export { validateRules, type RulesValidation } from './rules-validate.js';

export interface RuleDecision {
  /** Index of the matching rule, null for the default destination. */
  readonly ruleIndex: number | null;
  /** Index of the chosen split variant, null when the rule has a single URL. */
  readonly variantIndex: number | null;
  readonly url: string;
  /** Deep link to offer on an intermediate page; never a Location value. */
  readonly appUrl: string | null;
  /**
   * Why. From `evaluateRules` a fixed text naming the rule and its condition keys; from
   * `explainRules` the full story with the visitor's values.
   */
  readonly reason: string;
}

export interface RuleExplanation {
  readonly index: number;
  readonly matched: boolean;
  /** The first condition (in evaluation order) the visitor failed. */
  readonly failedOn?: ConditionKey;
  /** The visitor's value for `failedOn`, e.g. `FR`. */
  readonly visitor?: string;
}

export interface RulesExplanation {
  readonly decision: RuleDecision;
  /** Every rule, including those after the one that decided. */
  readonly rules: readonly RuleExplanation[];
}

interface SplitVariant {
  /** Bucket points below this cumulative weight (and above the previous one) pick this variant. */
  readonly below: number;
  readonly decision: RuleDecision;
}

export interface CompiledRule {
  readonly index: number;
  readonly label: string | undefined;
  readonly conditions: readonly Condition[];
  /** The rule's decision for a single URL, or its last split variant's. */
  readonly fallback: RuleDecision;
  /** Empty for a single-URL rule. */
  readonly variants: readonly SplitVariant[];
  readonly totalWeight: number;
}

export class CompiledRules {
  #lastDefault: RuleDecision | null = null;

  constructor(readonly rules: readonly CompiledRule[]) {}

  /** The same object for repeated calls with the same URL, so the common case allocates nothing. */
  defaultDecision(url: string): RuleDecision {
    if (this.#lastDefault?.url !== url) {
      this.#lastDefault = Object.freeze({
        ruleIndex: null,
        variantIndex: null,
        url,
        appUrl: null,
        reason: this.rules.length === 0 ? NO_RULES : NO_MATCH,
      });
    }
    return this.#lastDefault;
  }
}

const NO_RULES = 'no rules; default destination';
const NO_MATCH = 'no rule matched; default destination';

/**
 * Precomputes everything evaluation needs. Takes a document that passed `validateRules` (URLs
 * already screened and normalized); conditions it cannot honour, such as a time zone this
 * runtime does not know, simply never match.
 */
export function compileRules(rules: Rules): CompiledRules {
  return new CompiledRules(rules.map(compileRule));
}

function compileRule(rule: Rule, index: number): CompiledRule {
  const conditions = compileConditions(rule.when);
  const keys = conditions.map((condition) => condition.key).join(', ');
  const reason = `${ruleName(index, rule.label)} matched on ${keys}`;
  const appUrl = rule.appUrl ?? null;
  const decide = (url: string, variantIndex: number | null, why: string): RuleDecision =>
    Object.freeze({ ruleIndex: index, variantIndex, url, appUrl, reason: why });
  const variants: SplitVariant[] = [];
  let totalWeight = 0;
  for (const [variantIndex, variant] of (rule.split ?? []).entries()) {
    totalWeight += variant.weight;
    variants.push({
      below: totalWeight,
      decision: decide(variant.url, variantIndex, `${reason}; split[${variantIndex}]`),
    });
  }
  const fallback = variants.at(-1)?.decision ?? decide(rule.url ?? '', null, reason);
  return { index, label: rule.label, conditions, fallback, variants, totalWeight };
}

/** The hot path: which destination this scan gets. Calls only the context methods rules need. */
export function evaluateRules(
  compiled: CompiledRules,
  defaultUrl: string,
  ctx: VisitorContext,
): RuleDecision {
  for (const rule of compiled.rules) {
    if (firstFailure(rule, ctx) === null) return choose(rule, ctx);
  }
  return compiled.defaultDecision(defaultUrl);
}

/** Every rule's outcome and a decision whose reason quotes the visitor's values (simulator). */
export function explainRules(
  compiled: CompiledRules,
  defaultUrl: string,
  ctx: VisitorContext,
): RulesExplanation {
  const rules = compiled.rules.map((rule): RuleExplanation => {
    const failed = firstFailure(rule, ctx);
    if (failed === null) return { index: rule.index, matched: true };
    return {
      index: rule.index,
      matched: false,
      failedOn: failed.key,
      visitor: failed.observe(ctx),
    };
  });
  const winner = compiled.rules.find((_rule, index) => rules[index]?.matched === true);
  if (winner === undefined) {
    const failures = rules.map(
      (r) => `rules[${r.index}] failed on ${r.failedOn} (visitor: ${r.visitor})`,
    );
    const reason =
      failures.length === 0
        ? NO_RULES
        : `no rule matched: ${failures.join('; ')}; default destination`;
    return { decision: { ...compiled.defaultDecision(defaultUrl), reason }, rules };
  }
  const decision = choose(winner, ctx);
  const observed = winner.conditions.map((c) => `${c.key}=${c.observe(ctx)}`).join(', ');
  let reason = `${ruleName(winner.index, winner.label)} matched: ${observed}`;
  if (decision.variantIndex !== null) {
    reason += `; split[${decision.variantIndex}] chosen for visitor bucket ${ctx.visitorBucket().toFixed(3)}`;
  }
  return { decision: { ...decision, reason }, rules };
}

function firstFailure(rule: CompiledRule, ctx: VisitorContext): Condition | null {
  for (const condition of rule.conditions) if (!condition.test(ctx)) return condition;
  return null;
}

/**
 * A split picks the variant whose cumulative-weight interval holds bucket × total weight, so one
 * visitor (one bucket) keeps one variant all day. A bucket outside [0, 1) is a caller bug and
 * gets the first variant rather than an exception.
 */
function choose(rule: CompiledRule, ctx: VisitorContext): RuleDecision {
  if (rule.variants.length === 0) return rule.fallback;
  const bucket = ctx.visitorBucket();
  const point = bucket >= 0 && bucket < 1 ? Math.floor(bucket * rule.totalWeight) : 0;
  for (const variant of rule.variants) if (point < variant.below) return variant.decision;
  return rule.fallback;
}

function ruleName(index: number, label: string | undefined): string {
  return label === undefined || label === ''
    ? `rules[${index}]`
    : `rules[${index}] (${JSON.stringify(label)})`;
}
