package dev.bulwark.authz;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * One access-review decision: a reviewer certified a binding until a new date, or revoked it.
 * Times are kept to the microsecond, like a {@link Binding}'s.
 *
 * @param bindingId the binding reviewed
 * @param outcome certified or revoked
 * @param reviewer who decided (never the binding's own principal)
 * @param note the reviewer's reason
 * @param at when
 * @param nextReviewBy the new review date of a certified binding
 */
public record Review(String bindingId, Outcome outcome, String reviewer, String note, Instant at,
    Optional<Instant> nextReviewBy) {

  /** What the reviewer decided. */
  public enum Outcome { CERTIFIED, REVOKED }

  public Review {
    Names.requireText(bindingId, "binding id");
    Objects.requireNonNull(outcome, "outcome");
    Names.requireText(reviewer, "reviewer");
    Objects.requireNonNull(note, "note");
    if (note.length() > 1000) {
      throw new IllegalArgumentException("note must be at most 1000 characters");
    }
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(nextReviewBy, "nextReviewBy");
    at = at.truncatedTo(ChronoUnit.MICROS);
    nextReviewBy = nextReviewBy.map(t -> t.truncatedTo(ChronoUnit.MICROS));
    if ((outcome == Outcome.CERTIFIED) != nextReviewBy.isPresent()) {
      throw new IllegalArgumentException("a certification, and only a certification, sets the next review date");
    }
  }
}
