package dev.bulwark.spring.security;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.stepup.StepUpDecision;
import java.util.List;
import org.springframework.security.authorization.AuthorizationDecision;

/**
 * A refusal by {@link StepUpAuthorizationManager}: what the user must do to be let through, so an
 * {@code AccessDeniedHandler} can send them to re-authenticate instead of showing an error.
 */
public final class StepUpRequiredDecision extends AuthorizationDecision {

  private static final long serialVersionUID = 1L;

  private final StepUpDecision.Reason reason;
  private final AssuranceLevel target;
  private final List<Factor> factors;

  StepUpRequiredDecision(StepUpDecision.Reason reason, AssuranceLevel target, List<Factor> factors) {
    super(false);
    this.reason = reason;
    this.target = target;
    this.factors = List.copyOf(factors);
  }

  /** Why: level too low, authentication too old, no suitable factor, or no live Bulwark session ({@code null}). */
  public StepUpDecision.Reason reason() {
    return reason;
  }

  public AssuranceLevel targetLevel() {
    return target;
  }

  /** The factors that would satisfy the requirement, preferred first. */
  public List<Factor> factors() {
    return factors;
  }

  @Override
  public String toString() {
    return "StepUpRequiredDecision[reason=" + reason + ", target=" + target + ", factors=" + factors + "]";
  }
}
