package dev.bulwark.authn.stepup;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The answer of {@link StepUp#check}: go ahead, or exactly what the user must do first. */
public sealed interface StepUpDecision {

  /** True for {@link Allowed}. */
  boolean allowed();

  /**
   * The session meets the requirement until {@code until} (the elevation, the freshness window or
   * a session deadline ends first), after which the same check answers {@link Required}.
   */
  record Allowed(Instant until) implements StepUpDecision {
    public Allowed {
      Objects.requireNonNull(until, "until");
    }

    @Override
    public boolean allowed() {
      return true;
    }
  }

  /**
   * The user must verify one of {@code factors} (in order of preference; the first is what to
   * prompt for) to reach {@code targetLevel}.
   *
   * @param reason why the session does not qualify
   * @param targetLevel the level the operation needs
   * @param factors factors that would satisfy the requirement, preferred first; restricted to the
   *     user's enrolled factors when they were given, and then empty means none can
   */
  record Required(Reason reason, AssuranceLevel targetLevel, List<Factor> factors) implements StepUpDecision {
    public Required {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(targetLevel, "targetLevel");
      factors = List.copyOf(factors);
    }

    @Override
    public boolean allowed() {
      return false;
    }

    /** The factor to prompt for. */
    public java.util.Optional<Factor> preferredFactor() {
      return factors.stream().findFirst();
    }
  }

  /** Why a step-up is needed. */
  enum Reason {
    /** The session's level (including any elevation still running) is below the requirement. */
    LEVEL_TOO_LOW,
    /** The level is high enough but the last strong authentication is older than the maximum age. */
    AUTHENTICATION_TOO_OLD,
    /** A step-up is needed and none of the user's enrolled factors can provide it. */
    NO_SUITABLE_FACTOR
  }
}
