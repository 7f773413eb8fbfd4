package dev.bulwark.samples.notes;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.Outcome;
import dev.bulwark.ratelimit.RateLimitDecision;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sample's own audit events (note created, admin page viewed, password changed, rate-limit
 * refusals...), appended to the starter's {@link AuditLog}. The modules' events reach the same log
 * through the starter's listeners, which {@link AuditGuards} makes fail-closed. Appends block until
 * the event is durable; an event of the sample's own that cannot be written is printed on standard
 * error and counted ({@link #lost()}, shown on the admin page with the modules' lost events).
 */
final class NotesAudit {

  private final AuditLog log;
  private final Clock clock;
  private final AuditGuards guards;
  private final LongAdder lost = new LongAdder();

  NotesAudit(AuditLog log, Clock clock, AuditGuards guards) {
    this.log = log;
    this.clock = clock;
    this.guards = guards;
  }

  /** Events that could not be recorded since the start (module events and the sample's own). */
  long lost() {
    return lost.sum() + guards.lost();
  }

  /** Records one of the sample's own events. */
  void record(Action action, String actorId, String authMethod, Outcome outcome, String targetType, String targetId,
      Map<String, String> details) {
    AuditEvent.Builder b = AuditEvent.builder(action, Actor.user(actorId, authMethod)).outcome(outcome);
    if (targetType != null) {
      b.target(targetType, targetId);
    }
    details.forEach(b::detail);
    try {
      log.append(b.build(clock));
    } catch (RuntimeException ex) {
      lost.increment();
      System.err.println("bulwark-notes: audit event " + action.name() + " was not recorded: " + ex.getMessage());
    }
  }

  /** Records a rate-limit refusal and builds the error the web layer turns into 429 (or 503). */
  RateLimited limited(RateLimitDecision d, String actor, String page, String sourceIp, String message) {
    Map<String, String> details = new TreeMap<>();
    details.put("reason", d.reason().name().toLowerCase(Locale.ROOT));
    if (sourceIp != null) {
      details.put("source", sourceIp);
    }
    record(Action.EXCESS_RATE_LIMIT_EXCEEDED, actor, null, Outcome.DENIED, "page", page, details);
    if (d.reason() == RateLimitDecision.Reason.STORE_UNAVAILABLE) {
      return new RateLimited("The service cannot take this request right now; try again in a minute.", d);
    }
    return new RateLimited(message, d);
  }
}
