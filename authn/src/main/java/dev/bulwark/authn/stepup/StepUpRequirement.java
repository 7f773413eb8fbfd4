package dev.bulwark.authn.stepup;

import dev.bulwark.authn.AssuranceLevel;
import java.time.Duration;
import java.util.Objects;

/**
 * What a sensitive operation demands of the caller's session: at least {@code minimumLevel}, and a
 * strong authentication (a factor that counts toward that level) no older than {@code maxAge}
 * (ASVS 5 7.5.1 / 7.5.3).
 */
public record StepUpRequirement(AssuranceLevel minimumLevel, Duration maxAge) {
  public StepUpRequirement {
    Objects.requireNonNull(minimumLevel, "minimumLevel");
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
  }

  /** {@code level} with a strong authentication in the last {@code maxAge}. */
  public static StepUpRequirement of(AssuranceLevel level, Duration maxAge) {
    return new StepUpRequirement(level, maxAge);
  }
}
