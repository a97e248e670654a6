// Decides, per inbound message and agent, whether the agent receives it and whether it may satisfy a signal
// watch. One engine per policy-set version, cached, so a version is validated and parsed once, not per message.
import { BASE_POLICIES } from "./base";
import { blanketForbids } from "./blanket";
import { CedarTrap, withCedar, type Cedar } from "./cedar";
import { compilePolicies } from "./compile";
import { holdSlot } from "./preparsed";
import type { PolicyProblem } from "./problems";
import { cedarRequest, queryProblem, type DecisionQuery } from "./request";
import { SCHEMA } from "./schema";

export interface PolicyDecision {
  decision: "allow" | "deny";
  /** Ids of the determining policies: the satisfied forbids on a deny, the satisfied permits on an allow. */
  reasons: string[];
  errors: string[];
}

const SCHEMA_ID = "textgate.schema";
/** The Cedar instance generation the schema was preparsed into; a replaced instance has lost it. */
let schemaGeneration = 0;

function preparseSchema(c: Cedar, generation: number): void {
  if (schemaGeneration === generation) return;
  const answer = c.preparseSchema(SCHEMA_ID, SCHEMA);
  // Our own schema failing to parse is a bug in this module, not a decision.
  if (answer.type === "failure") throw new Error(`policy schema: ${answer.errors.map((e) => e.message).join("; ")}`);
  schemaGeneration = generation;
}

export class PolicyEngine {
  readonly version: string;
  readonly text: string;
  /** Number of user policies (the base policies are not counted). */
  readonly policies: number;
  /** Set when the text does not validate; every decision is then a deny that carries them (fail closed). */
  readonly problems: readonly PolicyProblem[];
  readonly #policies: Record<string, string> | undefined;
  /** Decisions already made under this version. A decision is a pure function of the policies and the query
   * (Cedar has no clock and we pass no time), so a repeat sender costs a map lookup, not a wasm call. */
  readonly #decided = new Map<string, PolicyDecision>();
  #blanket: Set<string> | undefined;

  constructor(text: string, version: string) {
    this.version = version;
    this.text = text;
    const compiled = compilePolicies(text);
    this.policies = compiled.ok ? compiled.ids.length : 0;
    this.problems = compiled.ok ? [] : compiled.errors;
    this.#policies = compiled.ok ? { ...compiled.policies, ...BASE_POLICIES } : undefined;
  }

  decide(q: DecisionQuery): PolicyDecision {
    const refused = queryProblem(q);
    if (refused) return deny([refused]);
    const key = queryKey(q);
    const known = this.#decided.get(key);
    if (known) {
      // Most recently used last, so the oldest entry is the first to go.
      this.#decided.delete(key);
      this.#decided.set(key, known);
      return copy(known);
    }
    let decision: PolicyDecision;
    try {
      decision = withCedar((c, generation) => this.#evaluate(c, generation, q));
    } catch (err) {
      // Fail closed, and remember nothing: the trap is not the policies' answer, and the next call asks a fresh
      // instance again.
      if (err instanceof CedarTrap) return deny([err.message]);
      throw err;
    }
    this.#decided.set(key, decision);
    if (this.#decided.size > DECISION_CACHE_SIZE) this.#decided.delete(this.#decided.keys().next().value!);
    return copy(decision);
  }

  /**
   * The forbids that deny `q` and would deny it for any sender (see blanket.ts); empty when `q` is allowed or only
   * conditions on the sender deny it. The sender in `q` is then only a probe: these forbids never look at it.
   */
  blanketDenial(q: DecisionQuery): string[] {
    const d = this.decide(q);
    if (d.decision === "allow") return [];
    try {
      this.#blanket ??= blanketForbids(this.#userPolicies());
    } catch (err) {
      // Unknown for now (nothing is remembered, the next call asks a fresh instance): no forbid is called blanket.
      if (err instanceof CedarTrap) return [];
      throw err;
    }
    return d.reasons.filter((id) => this.#blanket!.has(id));
  }

  #userPolicies(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.#policies ?? {}).filter(([id]) => !(id in BASE_POLICIES)));
  }

  #evaluate(c: Cedar, generation: number, q: DecisionQuery): PolicyDecision {
    if (!this.#policies) return deny(this.problems.map((p) => `policy set ${this.version} is invalid: ${p.message}`));
    preparseSchema(c, generation);
    const set = holdSlot(c, generation, this, this.#policies);
    if (!set.ok) return deny(set.errors);
    const answer = c.statefulIsAuthorized({
      ...cedarRequest(q),
      preparsedPolicySetId: set.id,
      preparsedSchemaName: SCHEMA_ID,
      validateRequest: true,
    });
    if (answer.type === "failure") return deny(answer.errors.map((e) => e.message));
    const { decision, diagnostics } = answer.response;
    return { decision, reasons: diagnostics.reason, errors: diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`) };
  }
}

const deny = (errors: string[]): PolicyDecision => ({ decision: "deny", reasons: [], errors });
const copy = (d: PolicyDecision): PolicyDecision => ({ decision: d.decision, reasons: [...d.reasons], errors: [...d.errors] });

/** Senders per version whose decisions are remembered; a busy channel's regular senders fit many times over. */
const DECISION_CACHE_SIZE = 1024;

/** Everything a decision depends on besides the policies (the paired addresses as a set: order is irrelevant). */
function queryKey(q: DecisionQuery): string {
  const paired = [...new Set(q.pairedAddresses ?? [])].sort().join(",");
  return JSON.stringify([q.agent, q.action, q.channel, q.sender.address, q.sender.paired, paired]);
}

// A handful of versions at once covers a rollout (old and new text both live); more would only hold memory.
const CACHE_SIZE = 4;
const engines = new Map<string, PolicyEngine>();

/**
 * The engine for this policy text. `version` is the cache key (a revision number or content hash); the text is
 * still compared, so two sets that happen to share a version can never share an engine.
 */
export function getPolicyEngine(text: string, version: string | number): PolicyEngine {
  const key = String(version);
  const cached = engines.get(key);
  const engine = cached?.text === text ? cached : new PolicyEngine(text, key);
  engines.delete(key);
  engines.set(key, engine);
  for (const oldest of engines.keys()) {
    if (engines.size <= CACHE_SIZE) break;
    engines.delete(oldest);
  }
  return engine;
}
