package dev.bulwark.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.spi.HostRecords;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

  @Test
  void defaults_keepAuditLogs90Days_andSessions30Days() throws Exception {
    RetentionPolicies p = RetentionPolicies.defaults();
    assertEquals(Period.ofDays(90), p.get(DataClass.AUDIT_LOG).retention());
    assertEquals(Period.ofDays(30), p.get(DataClass.SESSION).retention());
    assertEquals(RetentionPolicy.Action.PURGE, p.get(DataClass.AUDIT_LOG).action());
    assertEquals(Period.ofDays(30), p.get(DataClass.SESSION).maxRecoveryWindow());
  }

  @Test
  void deadline_usesUtcCalendar() throws Exception {
    RetentionPolicy month = RetentionPolicy.purgeAfter(DataClass.of("x"), Period.ofMonths(1));
    assertEquals(Instant.parse("2026-02-28T23:30:00Z"), month.deadlineFor(Instant.parse("2026-01-31T23:30:00Z")));
    assertEquals(Instant.parse("2028-02-29T00:00:00Z"), month.deadlineFor(Instant.parse("2028-01-31T00:00:00Z")));
    RetentionPolicy days = RetentionPolicy.purgeAfter(DataClass.of("x"), Period.ofDays(90));
    // Across a European DST change: still exactly 90 x 24 hours in UTC.
    assertEquals(Instant.parse("2026-06-01T01:00:00Z"), days.deadlineFor(Instant.parse("2026-03-03T01:00:00Z")));
  }

  @Test
  void absurdOrNegativeDurations_areRejected() throws Exception {
    DataClass c = DataClass.of("x");
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.purgeAfter(c, Period.ofDays(-1)));
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.purgeAfter(c, Period.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.purgeAfter(c, Period.ofYears(101)));
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.purgeAfter(c, Period.of(1, -1, 0)));
    assertThrows(IllegalArgumentException.class,
        () -> RetentionPolicy.purgeAfter(c, Period.ofDays(90)).withMaxRecoveryWindow(Period.ofDays(400)));
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.purgeAfter(c, null));
  }

  @Test
  void names_andAttributions_areValidated() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> DataClass.of("Audit Log"));
    assertThrows(IllegalArgumentException.class, () -> DataClass.of(""));
    assertThrows(IllegalArgumentException.class, () -> DataClass.of("x".repeat(65)));
    assertThrows(IllegalArgumentException.class, () -> Attribution.of("alice\n", "why"));
    assertThrows(IllegalArgumentException.class, () -> Attribution.of("alice", " "));
    assertThrows(IllegalArgumentException.class, () -> RecordRef.of(DataClass.SESSION, ""));
    assertThrows(IllegalArgumentException.class, () -> OperationId.parse("not-a-uuid"));
  }

  @Test
  void unknownDataClass_isTypedError() throws Exception {
    UnknownDataClassException e = assertThrows(UnknownDataClassException.class,
        () -> RetentionPolicies.defaults().get(DataClass.of("invoice")));
    assertTrue(e.getMessage().contains("invoice"));
  }

  private static Lifecycle lifecycle(RetentionPolicies p, List<LifecycleEvent> events) {
    return Lifecycle.builder(LifecycleStore.inMemory(HostRecords.inMemory(DataClass.AUDIT_LOG))).policies(p).listener(events::add).build();
  }

  @Test
  void governance_shorteningNeedsOverride_whichIsRecorded() throws Exception {
    List<LifecycleEvent> events = new ArrayList<>();
    Lifecycle l = lifecycle(RetentionPolicies.defaults(), events);
    RetentionPolicy shorter = RetentionPolicy.purgeAfter(DataClass.AUDIT_LOG, Period.ofDays(60));
    Attribution ciso = Attribution.of("ciso", "contract change");
    assertThrows(PolicyViolationException.class, () -> l.changePolicy(shorter, ciso, false));
    assertEquals(Period.ofDays(90), l.policy(DataClass.AUDIT_LOG).retention());
    RetentionPolicy applied = l.changePolicy(shorter, ciso, true);
    assertEquals(2, applied.version());
    assertEquals(LifecycleEvent.Type.POLICY_OVERRIDDEN, events.get(0).type());
    assertEquals(ciso, events.get(0).by());
    RetentionPolicy longer = l.changePolicy(shorter.withRetention(Period.ofMonths(4)), ciso, false);
    assertEquals(3, longer.version());
    assertEquals(LifecycleEvent.Type.POLICY_CHANGED, events.get(1).type());
  }

  @Test
  void compliance_canOnlyBeLengthened_evenWithOverride() throws Exception {
    RetentionPolicy locked = RetentionPolicy.auditLogDefault().withMode(RetentionPolicy.Mode.COMPLIANCE);
    Lifecycle l = lifecycle(RetentionPolicies.of(locked), new ArrayList<>());
    Attribution a = Attribution.of("ciso", "x");
    assertThrows(PolicyViolationException.class, () -> l.changePolicy(locked.withRetention(Period.ofDays(89)), a, true));
    // "3 months" is shorter than 90 days when it starts in February: ambiguous counts as shortening.
    assertThrows(PolicyViolationException.class, () -> l.changePolicy(locked.withRetention(Period.ofMonths(3)), a, true));
    assertThrows(PolicyViolationException.class,
        () -> l.changePolicy(locked.withMode(RetentionPolicy.Mode.GOVERNANCE).withRetention(Period.ofDays(100)), a, true));
    assertThrows(PolicyViolationException.class,
        () -> l.changePolicy(locked.withMaxRecoveryWindow(Period.ofDays(31)), a, true));
    assertThrows(PolicyViolationException.class,
        () -> l.changePolicy(locked.withAction(RetentionPolicy.Action.ARCHIVE), a, true));
    assertEquals(Period.ofDays(120), l.changePolicy(locked.withRetention(Period.ofDays(120)), a, false).retention());
  }

  @Test
  void periods_atLeast_isConservative() throws Exception {
    assertTrue(Periods.atLeast(Period.ofMonths(13), Period.ofYears(1)));
    assertTrue(Periods.atLeast(Period.ofDays(31), Period.ofMonths(1)));
    assertFalse(Periods.atLeast(Period.ofDays(30), Period.ofMonths(1)));
    assertFalse(Periods.atLeast(Period.ofMonths(1), Period.ofDays(30)));
  }
}
