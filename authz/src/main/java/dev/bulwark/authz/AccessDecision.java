package dev.bulwark.authz;

import java.util.List;
import java.util.Objects;

/**
 * The answer to one {@link Authorizer#check}: allowed or not, why, which rules decided it, and
 * the version of the policy that decided it. Hosts write it to the audit log as is.
 *
 * @param allowed true only when a binding grants the permission and no deny rule matches
 * @param reason the kind of answer
 * @param explanation a sentence for operators; names rules and roles, never secrets
 * @param matchedRules ids of the deny rules (when denied by rule) or bindings (when allowed) that decided
 * @param policyVersion {@link Policy#version()} of the policy used
 */
public record AccessDecision(boolean allowed, Reason reason, String explanation, List<String> matchedRules,
    String policyVersion) {

  /** Why a decision came out the way it did. Only {@link #ALLOWED} allows. */
  public enum Reason {
    /** A binding of the principal (or one of its groups) grants the permission in scope. */
    ALLOWED,
    /** An explicit deny rule matched; deny wins over every binding. */
    DENIED_BY_RULE,
    /** No binding grants the permission here (the default). */
    NO_MATCHING_BINDING,
    /** The request carries no organization. */
    NO_TENANT,
    /** The resource type is not declared in the policy. */
    UNKNOWN_RESOURCE_TYPE,
    /** The action is not declared for the resource type. */
    UNKNOWN_ACTION,
    /** A binding of the principal here names a role the policy does not define. */
    UNKNOWN_ROLE,
    /** The request is malformed (null or blank fields). */
    INVALID_REQUEST
  }

  public AccessDecision {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(explanation, "explanation");
    matchedRules = List.copyOf(matchedRules);
    Objects.requireNonNull(policyVersion, "policyVersion");
    if (allowed != (reason == Reason.ALLOWED)) {
      throw new IllegalArgumentException("only the ALLOWED reason allows");
    }
  }
}
