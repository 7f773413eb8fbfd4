package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.spi.RecordState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to "why is this record not purged yet?" (or "when will it be?").
 *
 * @param ref the record asked about
 * @param status the one-word answer
 * @param state the record's lifecycle columns, when it exists
 * @param policy the policy of its class
 * @param holds the active holds that block it
 * @param at the time the answer holds for
 * @param reasons one readable sentence per reason, for support staff and auditors
 */
public record Explanation(
    RecordRef ref,
    Status status,
    Optional<RecordState> state,
    RetentionPolicy policy,
    List<LegalHold> holds,
    Instant at,
    List<String> reasons) {

  /** Why a record is (not) purged. */
  public enum Status {
    /** No such record: never existed, or already purged (see the evidence). */
    NOT_FOUND,
    /** Live and without a deadline: its retention clock has not started. */
    NO_DEADLINE,
    /** Live; its retention deadline is in the future. */
    RETAINED_BY_POLICY,
    /** Soft deleted; its recovery window has not ended. */
    IN_RECOVERY_WINDOW,
    /** Past its deadline, but an active legal hold blocks the purge. */
    HELD,
    /** Past its deadline and not held: the next purge run takes it. */
    DUE
  }

  public Explanation {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(policy, "policy");
    holds = List.copyOf(holds);
    Objects.requireNonNull(at, "at");
    reasons = List.copyOf(reasons);
  }
}
