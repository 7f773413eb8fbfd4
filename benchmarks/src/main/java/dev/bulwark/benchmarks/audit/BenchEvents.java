package dev.bulwark.benchmarks.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.Source;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** The same realistic login-failure event for every contender. */
final class BenchEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BenchEvents() {}

  static AuditEvent event(long i) {
    return AuditEvent.builder(Action.AUTHN_LOGIN_FAIL, Actor.user("user-" + (i % 1000), "password"))
        .tenant("tenant-" + (i % 10)).outcome(Outcome.FAILURE).reason("bad_password").correlationId("req-" + i)
        .target("account", "acct-" + (i % 1000))
        .source(new Source("203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", "node-1", "portal/2.3.1"))
        .detail("attempt", Long.toString(i % 5)).build(Clock.systemUTC());
  }

  /** The same event as one JSON line, the way an application would hand it to logback. */
  static String json(AuditEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("eventId", e.eventId().toString());
    m.put("occurredAt", e.occurredAt().toString());
    m.put("action", e.action().name());
    m.put("actorType", e.actor().type().name());
    m.put("actorId", e.actor().id());
    m.put("authMethod", e.actor().authMethod());
    m.put("tenant", e.tenant());
    m.put("targetType", e.target().type());
    m.put("targetId", e.target().id());
    m.put("outcome", e.outcome().name());
    m.put("reason", e.reason());
    m.put("severity", e.severity().name());
    m.put("correlationId", e.correlationId());
    m.put("ip", e.source().ip());
    m.put("userAgent", e.source().userAgent());
    m.put("host", e.source().host());
    m.put("app", e.source().app());
    m.put("details", e.details());
    try {
      return JSON.writeValueAsString(m);
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
