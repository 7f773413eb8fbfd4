package dev.bulwark.authn.totp;

import java.util.Objects;

/**
 * The outcome of one TOTP check.
 *
 * @param outcome what happened
 * @param step the time step whose code matched (only for {@link Outcome#ACCEPTED} and
 *     {@link Outcome#REPLAYED}; otherwise -1)
 * @param driftSteps how far that step was from the verifier's current step (negative: the
 *     authenticator's clock is behind); 0 when nothing matched
 */
public record TotpVerification(Outcome outcome, long step, int driftSteps) {

  /** What a TOTP check found. Only {@link #ACCEPTED} is a successful factor. */
  public enum Outcome {
    /** The code matched a step in the window that had not been used. */
    ACCEPTED,
    /** The code matched, but its step (or a later one) was already used: a replay. */
    REPLAYED,
    /** Well-formed, but matched no step in the window. */
    REJECTED,
    /** Not exactly the configured number of ASCII digits. Never compared with anything. */
    MALFORMED
  }

  public TotpVerification {
    Objects.requireNonNull(outcome, "outcome");
  }

  public boolean accepted() {
    return outcome == Outcome.ACCEPTED;
  }

  static TotpVerification of(Outcome outcome) {
    return new TotpVerification(outcome, -1, 0);
  }
}
