package dev.bulwark.audit;

import java.time.Instant;

/**
 * Which events to find: every non-null field must match. Times filter {@code recordedAt}
 * ({@code from} inclusive, {@code to} exclusive).
 *
 * @param from earliest recorded-at, or null
 * @param to end of the time range (exclusive), or null
 * @param actorId actor id, or null
 * @param tenant tenant, or null
 * @param action action name, or null
 * @param correlationId correlation id, or null
 */
public record AuditQuery(Instant from, Instant to, String actorId, String tenant, String action, String correlationId) {

  public static final AuditQuery ALL = new AuditQuery(null, null, null, null, null, null);

  public AuditQuery between(Instant newFrom, Instant newTo) {
    return new AuditQuery(newFrom, newTo, actorId, tenant, action, correlationId);
  }

  public AuditQuery actor(String id) {
    return new AuditQuery(from, to, id, tenant, action, correlationId);
  }

  public AuditQuery tenant(String t) {
    return new AuditQuery(from, to, actorId, t, action, correlationId);
  }

  public AuditQuery action(Action a) {
    return new AuditQuery(from, to, actorId, tenant, a.name(), correlationId);
  }

  public AuditQuery correlation(String id) {
    return new AuditQuery(from, to, actorId, tenant, action, id);
  }

  /** Whether {@code e} matches. */
  public boolean matches(LoggedEvent e) {
    AuditEvent ev = e.event();
    return (from == null || !e.recordedAt().isBefore(from))
        && (to == null || e.recordedAt().isBefore(to))
        && (actorId == null || actorId.equals(ev.actor().id()))
        && (tenant == null || tenant.equals(ev.tenant()))
        && (action == null || action.equals(ev.action().name()))
        && (correlationId == null || correlationId.equals(ev.correlationId()));
  }
}
