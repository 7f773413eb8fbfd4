package dev.bulwark.samples.notes;

import static dev.bulwark.audit.AuditEvents.toAuditEvent;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.Outcome;
import dev.bulwark.authn.SecurityEventGuard;
import dev.bulwark.crypto.KeyEventGuard;
import dev.bulwark.lifecycle.LifecycleEventGuard;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends every module's security events to the hash-chained audit log as they are: authn's
 * {@code SecurityEvent}s, crypto's {@code KeyEvent}s (rotation, destruction, shredding) and
 * lifecycle's {@code LifecycleEvent}s (soft deletes, purges with their evidence), each mapped by
 * {@code AuditEvents.toAuditEvent} into the audit vocabulary, plus the sample's own events.
 *
 * <p>Appends block until the event is durable. The module listeners fail closed: an operation
 * whose audit record cannot be written is refused (a login does not succeed, a purge stops), and
 * the failure is printed on standard error and counted ({@link #lost()}, shown on the admin page).
 */
final class AuditBridge {

  private final AuditLog log;
  private final Clock clock;
  private final LongAdder lost = new LongAdder();
  final SecurityEventGuard authn;
  final KeyEventGuard crypto;
  final LifecycleEventGuard lifecycle;

  AuditBridge(AuditLog log, Clock clock) {
    this.log = log;
    this.clock = clock;
    this.authn = SecurityEventGuard.builder(
            e -> log.append(toAuditEvent(e.type(), e.subject(), e.occurredAt(), e.source(), e.details())))
        .fallback((e, failure) -> report(e.type(), failure)).failClosed(true).build();
    this.crypto = KeyEventGuard.builder(
            e -> log.append(toAuditEvent(e.type(), Optional.of(e.keyring()), e.occurredAt(), Optional.empty(), e.details())))
        .fallback((e, failure) -> report(e.type(), failure)).failClosed(true).build();
    this.lifecycle = LifecycleEventGuard.builder(
            e -> log.append(toAuditEvent(e.name(), e.subject(), e.at(), Optional.empty(), e.auditDetails())))
        .fallback((e, failure) -> report(e.name(), failure)).failClosed(true).build();
  }

  private void report(String type, Exception failure) {
    lost.increment();
    System.err.println("bulwark-notes: audit event " + type + " was not recorded: " + failure.getMessage());
  }

  /** Events that could not be recorded since the start (module events and the sample's own). */
  long lost() {
    return lost.sum();
  }

  /** The sample's own events (note created, admin page viewed, password changed, ...). */
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
      report(action.name(), ex);
    }
  }
}
