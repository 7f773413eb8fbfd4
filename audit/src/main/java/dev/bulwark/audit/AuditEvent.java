package dev.bulwark.audit;

import dev.bulwark.audit.internal.Text;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One security-relevant event, as the application describes it. The log adds the sequence
 * number, the recorded-at time and the hashes (see {@link LoggedEvent}).
 *
 * <p>Every text value is sanitised on construction: CR, LF and other control characters are
 * escaped (so an attacker-supplied user agent cannot forge a second log line) and lengths are
 * bounded. Times are truncated to microseconds, the precision that is hashed and stored.
 * Details are bounded (32 entries, keys {@code [a-z][a-z0-9_.-]{0,63}}, values at most 512
 * characters) and refuse keys that name secrets ({@code password}, {@code token}, ...) and
 * values that look like bearer tokens or private keys.
 *
 * @param eventId unique id (random UUID by default)
 * @param occurredAt when the action happened (microsecond precision)
 * @param action what happened (OWASP vocabulary)
 * @param actor who did it
 * @param tenant tenant the event belongs to; may be null
 * @param target what it was done to; may be null
 * @param outcome how it ended
 * @param reason why (e.g. {@code bad_password}, {@code mfa_required}); may be null, at most 1024 chars
 * @param severity how urgent
 * @param correlationId request or trace id that ties events together; may be null
 * @param source where the request came from
 * @param details bounded, non-secret key/value pairs, sorted by key
 */
public record AuditEvent(
    UUID eventId,
    Instant occurredAt,
    Action action,
    Actor actor,
    String tenant,
    Target target,
    Outcome outcome,
    String reason,
    Severity severity,
    String correlationId,
    Source source,
    Map<String, String> details) {

  public static final int MAX_DETAILS = 32;
  public static final int MAX_DETAIL_VALUE_CHARS = 512;

  public AuditEvent {
    Objects.requireNonNull(eventId, "eventId");
    occurredAt = Objects.requireNonNull(occurredAt, "occurredAt").truncatedTo(ChronoUnit.MICROS);
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(actor, "actor");
    tenant = Text.clean(tenant, 128);
    Objects.requireNonNull(outcome, "outcome");
    reason = Text.clean(reason, 1024);
    Objects.requireNonNull(severity, "severity");
    correlationId = Text.clean(correlationId, 128);
    source = source == null ? Source.NONE : source;
    Objects.requireNonNull(details, "details");
    if (details.size() > MAX_DETAILS) {
      throw new IllegalArgumentException("at most " + MAX_DETAILS + " details per event");
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> e : details.entrySet()) {
      Text.checkDetailKey(e.getKey());
      String value = Text.clean(Objects.requireNonNull(e.getValue(), "detail value"), MAX_DETAIL_VALUE_CHARS);
      Text.checkDetailValue(e.getKey(), value);
      sorted.put(e.getKey(), value);
    }
    details = java.util.Collections.unmodifiableSortedMap(sorted);
  }

  /** Starts an event for {@code action} by {@code actor}; the builder fills id and defaults. */
  public static Builder builder(Action action, Actor actor) {
    return new Builder(action, actor);
  }

  /** Builds events; not thread-safe. Defaults: random id, outcome SUCCESS, severity INFO. */
  public static final class Builder {
    private UUID eventId;
    private Instant occurredAt;
    private final Action action;
    private final Actor actor;
    private String tenant;
    private Target target;
    private Outcome outcome = Outcome.SUCCESS;
    private String reason;
    private Severity severity = Severity.INFO;
    private String correlationId;
    private Source source = Source.NONE;
    private final Map<String, String> details = new TreeMap<>();

    private Builder(Action action, Actor actor) {
      this.action = Objects.requireNonNull(action, "action");
      this.actor = Objects.requireNonNull(actor, "actor");
    }

    public Builder eventId(UUID id) {
      this.eventId = id;
      return this;
    }

    public Builder occurredAt(Instant at) {
      this.occurredAt = at;
      return this;
    }

    public Builder tenant(String tenant) {
      this.tenant = tenant;
      return this;
    }

    public Builder target(String type, String id) {
      this.target = new Target(type, id);
      return this;
    }

    public Builder outcome(Outcome outcome) {
      this.outcome = outcome;
      return this;
    }

    public Builder reason(String reason) {
      this.reason = reason;
      return this;
    }

    public Builder severity(Severity severity) {
      this.severity = severity;
      return this;
    }

    public Builder correlationId(String id) {
      this.correlationId = id;
      return this;
    }

    public Builder source(Source source) {
      this.source = source;
      return this;
    }

    public Builder detail(String key, String value) {
      details.put(key, value);
      return this;
    }

    /**
     * Builds the event. {@code occurredAt} must have been set or {@code clock} is used.
     */
    public AuditEvent build(java.time.InstantSource clock) {
      Instant at = occurredAt != null ? occurredAt : clock.instant();
      return new AuditEvent(eventId != null ? eventId : UUID.randomUUID(), at, action, actor, tenant,
          target, outcome, reason, severity, correlationId, source, details);
    }
  }
}
