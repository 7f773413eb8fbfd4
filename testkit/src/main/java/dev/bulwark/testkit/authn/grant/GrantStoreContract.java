package dev.bulwark.testkit.authn.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.grant.Grant;
import dev.bulwark.authn.grant.GrantState;
import dev.bulwark.authn.grant.spi.GrantStore;
import dev.bulwark.testkit.StoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link GrantStore} must have. */
public abstract class GrantStoreContract extends StoreContract<GrantStore> {

  protected Grant pending(String id, String subject, Instant at) {
    return new Grant(id, subject, "role:db-admin", "INC-1 restore", Duration.ofHours(1), GrantState.PENDING, at,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  protected Grant approved(Grant g, String by, Instant at) {
    return new Grant(g.id(), g.subject(), g.target(), g.justification(), g.duration(), GrantState.APPROVED,
        g.requestedAt(), Optional.of(by), Optional.of(at), Optional.of(at), Optional.of(at.plus(g.duration())));
  }

  @Test
  void insert_find_roundTrip() {
    Grant g = pending("g1", "bob", clock.instant().plusNanos(5_000));
    store.insert(g);
    assertEquals(Optional.of(g), store.find("g1"));
    assertEquals(Optional.empty(), store.find("nope"));
    Grant a = approved(g, "alice", clock.instant().plusNanos(9_000));
    assertTrue(store.transition(GrantState.PENDING, a));
    assertEquals(Optional.of(a), store.find("g1"));
  }

  @Test
  void duplicateId_isRejected_originalKept() {
    Grant g = pending("g1", "bob", clock.instant());
    store.insert(g);
    assertThrows(IllegalArgumentException.class, () -> store.insert(pending("g1", "mallory", clock.instant())));
    assertEquals(Optional.of(g), store.find("g1"));
  }

  @Test
  void transition_isCompareAndSet() {
    Grant g = pending("g1", "bob", clock.instant());
    store.insert(g);
    Grant a = approved(g, "alice", clock.instant());
    assertFalse(store.transition(GrantState.APPROVED, a));
    assertEquals(Optional.of(g), store.find("g1"));
    assertTrue(store.transition(GrantState.PENDING, a));
    assertFalse(store.transition(GrantState.PENDING, a));
    assertFalse(store.transition(GrantState.PENDING, pending("missing", "bob", clock.instant())));
  }

  @Test
  void racingDecisions_haveOneWinner() throws Exception {
    Grant g = pending("g1", "bob", clock.instant());
    store.insert(g);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Grant next = approved(g, "approver-" + i, clock.instant());
        results.add(pool.submit(() -> {
          go.await();
          return store.transition(GrantState.PENDING, next);
        }));
      }
      go.countDown();
      int wins = 0;
      for (Future<Boolean> f : results) {
        wins += f.get() ? 1 : 0;
      }
      assertEquals(1, wins);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void forSubject_oldestFirst() {
    Grant later = pending("b", "bob", clock.instant().plusSeconds(5));
    Grant earlier = pending("a", "bob", clock.instant());
    store.insert(later);
    store.insert(earlier);
    store.insert(pending("c", "carol", clock.instant()));
    assertEquals(List.of(earlier, later), store.forSubject("bob"));
    assertEquals(List.of(), store.forSubject("nobody"));
  }

  @Test
  void due_findsEndedWindowsAndStaleRequests() {
    Instant t0 = clock.instant();
    Grant active = pending("active", "bob", t0);
    Grant ended = pending("ended", "bob", t0);
    Grant stale = pending("stale", "bob", t0.minus(Duration.ofHours(30)));
    Grant fresh = pending("fresh", "bob", t0);
    store.insert(active);
    store.insert(ended);
    store.insert(stale);
    store.insert(fresh);
    store.transition(GrantState.PENDING, approved(active, "alice", t0));
    store.transition(GrantState.PENDING, approved(ended, "alice", t0.minus(Duration.ofHours(2))));
    List<String> due = store.due(t0, t0.minus(Duration.ofHours(24)), 100).stream().map(Grant::id).sorted().toList();
    assertEquals(List.of("ended", "stale"), due);
    assertEquals(1, store.due(t0, t0.minus(Duration.ofHours(24)), 1).size());
  }
}
