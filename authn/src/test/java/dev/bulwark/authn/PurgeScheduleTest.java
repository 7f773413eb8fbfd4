package dev.bulwark.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.authn.grant.GrantPolicy;
import dev.bulwark.authn.grant.Grants;
import dev.bulwark.authn.grant.InMemoryGrantStore;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PurgeScheduleTest {

  private final FakeClock clock = FakeClock.atDefaultEpoch();

  @Test
  void runOnce_runsEveryTaskWithTheClocksNow_andOneFailureDoesNotStopTheOthers() {
    List<Instant> seen = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    PurgeSchedule p = PurgeSchedule.builder().clock(clock)
        .task("first", now -> {
          seen.add(now);
          return 3;
        })
        .task("broken", now -> {
          throw new IllegalStateException("database down");
        })
        .task("last", now -> {
          seen.add(now);
          return 0;
        })
        .onError((task, e) -> errors.add(task + ": " + e.getMessage()))
        .build();
    assertEquals(Map.of("first", 3, "last", 0), p.runOnce());
    assertEquals(List.of(clock.instant(), clock.instant()), seen);
    assertEquals(List.of("broken: database down"), errors);
    assertEquals(1, p.failures());
  }

  @Test
  void grants_areExpiredByTheSchedule() throws Exception {
    Grants grants = new Grants(new InMemoryGrantStore(), GrantPolicy.defaults(), clock, SecurityEventListener.NONE);
    String id = grants.request("alice", "prod-db", "incident 42", Duration.ofHours(1)).id();
    grants.approve(id, "bob");
    PurgeSchedule p = PurgeSchedule.builder().clock(clock).grants(grants).build();
    assertEquals(Map.of("grants", 0), p.runOnce());
    clock.advance(Duration.ofHours(2));
    assertEquals(Map.of("grants", 1), p.runOnce());
  }

  @Test
  void misuse_isRefused() {
    assertThrows(IllegalStateException.class, () -> PurgeSchedule.builder().build());
    assertThrows(IllegalArgumentException.class,
        () -> PurgeSchedule.builder().task("x", now -> 0).task("x", now -> 0));
    assertThrows(IllegalArgumentException.class, () -> PurgeSchedule.builder().every(Duration.ofMillis(10)));
    PurgeSchedule p = PurgeSchedule.builder().task("x", now -> 0).build();
    p.close();
    assertThrows(IllegalStateException.class, p::start);
  }
}
