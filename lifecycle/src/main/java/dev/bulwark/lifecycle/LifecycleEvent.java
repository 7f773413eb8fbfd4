package dev.bulwark.lifecycle;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Something the lifecycle module did or refused to do, for the host's audit log. Events that
 * delete data carry their {@link DeletionEvidence}.
 *
 * @param type what happened
 * @param at when (the module's clock)
 * @param by who and why
 * @param details small, non-secret facts (operation id, data class, counts, deadlines)
 * @param evidence the evidence of an irreversible deletion
 */
public record LifecycleEvent(
    Type type, Instant at, Attribution by, Map<String, String> details, Optional<DeletionEvidence> evidence) {

  /** The kinds of event. */
  public enum Type {
    POLICY_CHANGED,
    POLICY_OVERRIDDEN,
    DEADLINES_REEVALUATED,
    SOFT_DELETED,
    RESTORED,
    HOLD_PLACED,
    HOLD_RELEASED,
    RECORDS_PURGED,
    RECORDS_ANONYMISED,
    RECORDS_ARCHIVED,
    PURGE_GUARD_TRIPPED,
    PURGE_CONFIRMED,
    PURGE_RUN_COMPLETED,
    PURGE_RUN_FAILED,
    KEY_SHREDDED,
    ERASURE_REFUSED,
    /** A record could not be deleted (foreign key, trigger); it was set aside and the run went on. */
    PURGE_ROW_FAILED,
    /** An operator reset the purge watermark. */
    WATERMARK_RESET
  }

  public LifecycleEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(by, "by");
    details = Map.copyOf(details);
    Objects.requireNonNull(evidence, "evidence");
  }
}
