package dev.bulwark.lifecycle;

import java.time.Instant;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Something the lifecycle module did or refused to do, for the host's audit log. Events that
 * delete data carry their {@link DeletionEvidence}. Detail keys match {@code [a-z][a-z0-9_.-]{0,63}};
 * {@link #name()} and {@link #auditDetails()} give the event in the vocabulary and key syntax
 * every Bulwark module shares.
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

  /**
   * The event's name in the shared security-event vocabulary ({@code lifecycle_soft_deleted},
   * {@code lifecycle_records_purged}, ...), which {@code bulwark-audit} accepts as it is.
   */
  public String name() {
    return "lifecycle_" + type.name().toLowerCase(Locale.ROOT);
  }

  /** Who the event is about: the attributed actor. */
  public Optional<String> subject() {
    return Optional.of(by.actor());
  }

  /**
   * {@link #details()} plus the attribution's {@code reason} and, for a deletion, the evidence's
   * {@code evidence_id}, {@code evidence_kind} and {@code records}: one flat map whose keys match
   * {@code [a-z][a-z0-9_.-]{0,63}}, for an audit record.
   */
  public Map<String, String> auditDetails() {
    Map<String, String> all = new TreeMap<>(details);
    if (by.reason() != null && !by.reason().isEmpty()) {
      all.put("reason", by.reason());
    }
    evidence.ifPresent(e -> {
      all.put("evidence_id", e.id().toString());
      all.put("evidence_kind", e.kind().name());
      all.put("records", Integer.toString(e.count()));
    });
    return Collections.unmodifiableMap(all);
  }
}
