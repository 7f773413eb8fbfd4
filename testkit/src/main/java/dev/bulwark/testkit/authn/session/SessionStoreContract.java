package dev.bulwark.testkit.authn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.session.LimitAction;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.SessionToken;
import dev.bulwark.authn.session.TokenHash;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.testkit.StoreContract;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SessionStore} must have. Extend it and return a fresh, empty store
 * from {@link #createStore}; for a store shared by several nodes, also override
 * {@link #secondNode()} to return a second instance over the same database.
 *
 * <p>A store keeps every instant to the microsecond at least (PostgreSQL's {@code timestamptz}
 * precision) and every duration exactly; the round-trip tests use microsecond-aligned instants.
 */
public abstract class SessionStoreContract extends StoreContract<SessionStore> {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Another instance over the same data ("another node"); by default the same instance. */
  protected SessionStore secondNode() throws Exception {
    return store;
  }

  protected Session session(String user, Instant createdAt) {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return new Session(HexFormat.of().formatHex(id), user, AssuranceLevel.AAL2,
        Map.of(Factor.PASSWORD, createdAt.minusSeconds(2), Factor.TOTP, createdAt.minusNanos(1_234_000)), createdAt.minusNanos(1_234_000),
        createdAt, createdAt, Duration.ofHours(1), createdAt.plus(Duration.ofHours(24)), Optional.empty());
  }

  protected static TokenHash newHash() {
    return SessionToken.generate().hash();
  }

  @Test
  void create_thenFind_roundTripsEveryField() {
    Session s = new Session("a1b2", "alice", AssuranceLevel.AAL3, Map.of(Factor.WEBAUTHN, clock.instant().plusNanos(7_000)),
        clock.instant().plusNanos(7_000), clock.instant(), clock.instant().plusNanos(9_000), Duration.ofMinutes(15).plusNanos(3),
        clock.instant().plus(Duration.ofHours(12)),
        Optional.of(new Session.Elevation(AssuranceLevel.AAL3, clock.instant().plusSeconds(600))), Map.of(),
        Set.of("ROLE_USER", "ROLE_ADMIN"));
    TokenHash h = newHash();
    assertTrue(store.create(h, s, 5, LimitAction.REJECT_NEW, clock.instant()).created());
    assertEquals(Optional.of(s), store.find(h));
    assertEquals(Optional.empty(), store.find(newHash()));
  }

  /**
   * A session's authorities survive the store exactly (order-free set, any Unicode letters, the
   * longest allowed name, the most names allowed), through create, find, replace, list and delete.
   */
  @Test
  void authorities_roundTrip_throughEveryOperation() {
    Set<String> many = new TreeSet<>();
    for (int i = 0; i < Session.MAX_AUTHORITIES - 4; i++) {
      many.add("perm:" + i);
    }
    many.addAll(Set.of("ROLE_ADMIN", "SCOPE_read write", "rôle:über-管理者", "r".repeat(Session.MAX_AUTHORITY_LENGTH)));
    Session s = withAuthorities(session("alice", clock.instant()), many);
    TokenHash h = newHash();
    assertTrue(store.create(h, s, 5, LimitAction.REJECT_NEW, clock.instant()).created());
    Session back = store.find(h).orElseThrow();
    assertEquals(s, back);
    assertEquals(many, back.authorities());
    assertThrows(UnsupportedOperationException.class, () -> back.authorities().add("ROLE_ROOT"));
    TokenHash rotated = newHash();
    assertTrue(store.replace(h, rotated, back));
    assertEquals(many, store.find(rotated).orElseThrow().authorities());
    assertTrue(store.touch(rotated, clock.instant().plusSeconds(1)));
    assertEquals(many, store.find(rotated).orElseThrow().authorities());
    assertEquals(List.of(many), store.list("alice", clock.instant()).stream().map(Session::authorities).toList());
    Session none = session("bob", clock.instant());
    TokenHash hb = newHash();
    store.create(hb, none, 5, LimitAction.REJECT_NEW, clock.instant());
    assertEquals(Set.of(), store.find(hb).orElseThrow().authorities());
    assertEquals(List.of(many), store.deleteAll("alice").stream().map(Session::authorities).toList());
  }

  /**
   * Revoking every session of a user while another request rotates one of them leaves the user no
   * session: the rotation either lands first and is deleted, or finds its old token gone. (This is
   * how a host withdraws authorities: it revokes the user's sessions.)
   */
  @Test
  void deleteAll_racingWithReplace_leavesNoSession() throws Exception {
    SessionStore other = secondNode();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 40; round++) {
        String user = "racer-" + round;
        Session s = withAuthorities(session(user, clock.instant()), Set.of("ROLE_ADMIN"));
        TokenHash old = newHash();
        TokenHash fresh = newHash();
        store.create(old, s, 5, LimitAction.REJECT_NEW, clock.instant());
        CountDownLatch go = new CountDownLatch(1);
        Future<Boolean> rotate = pool.submit(() -> {
          go.await();
          return other.replace(old, fresh, s);
        });
        Future<List<Session>> revoke = pool.submit(() -> {
          go.await();
          return store.deleteAll(user);
        });
        go.countDown();
        rotate.get();
        revoke.get();
        assertEquals(List.of(), store.list(user, clock.instant()), "round " + round);
        assertEquals(Optional.empty(), store.find(fresh), "round " + round);
        assertEquals(Optional.empty(), store.find(old), "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code s} with {@code authorities} in place of its own. */
  protected static Session withAuthorities(Session s, Set<String> authorities) {
    return new Session(s.id(), s.userId(), s.assuranceLevel(), s.factors(), s.authTime(), s.createdAt(), s.lastSeenAt(),
        s.idleTimeout(), s.absoluteDeadline(), s.elevation(), s.factorLevels(), authorities);
  }

  @Test
  void touch_movesForwardOnly() {
    TokenHash h = newHash();
    Session s = session("alice", clock.instant());
    store.create(h, s, 5, LimitAction.REJECT_NEW, clock.instant());
    Instant later = clock.advance(Duration.ofMinutes(3));
    assertTrue(store.touch(h, later));
    assertEquals(later, store.find(h).orElseThrow().lastSeenAt());
    assertTrue(store.touch(h, later.minusSeconds(60)));
    assertEquals(later, store.find(h).orElseThrow().lastSeenAt());
    assertFalse(store.touch(newHash(), later));
  }

  @Test
  void replace_swapsHashes_once() {
    TokenHash a = newHash();
    TokenHash b = newHash();
    TokenHash c = newHash();
    Session s = session("alice", clock.instant());
    store.create(a, s, 5, LimitAction.REJECT_NEW, clock.instant());
    assertTrue(store.replace(a, b, s));
    assertEquals(Optional.empty(), store.find(a));
    assertEquals(Optional.of(s), store.find(b));
    assertFalse(store.replace(a, c, s));
    assertEquals(Optional.empty(), store.find(c));
  }

  @Test
  void delete_deleteById_deleteAll() {
    TokenHash a = newHash();
    TokenHash b = newHash();
    TokenHash c = newHash();
    Session sa = session("alice", clock.instant());
    Session sb = session("alice", clock.instant().plusSeconds(1));
    Session sc = session("bob", clock.instant());
    store.create(a, sa, 5, LimitAction.REJECT_NEW, clock.instant());
    store.create(b, sb, 5, LimitAction.REJECT_NEW, clock.instant());
    store.create(c, sc, 5, LimitAction.REJECT_NEW, clock.instant());
    assertEquals(Optional.of(sa), store.delete(a));
    assertEquals(Optional.empty(), store.delete(a));
    assertEquals(Optional.empty(), store.deleteById("bob", sb.id()));
    assertEquals(Optional.of(sb), store.deleteById("alice", sb.id()));
    store.create(newHash(), session("alice", clock.instant()), 5, LimitAction.REJECT_NEW, clock.instant());
    assertEquals(1, store.deleteAll("alice").size());
    assertEquals(List.of(sc), store.list("bob", clock.instant()));
    assertEquals(List.of(), store.list("alice", clock.instant()));
  }

  @Test
  void list_liveOnly_oldestFirst() {
    Session older = session("alice", clock.instant());
    Session newer = session("alice", clock.instant().plusSeconds(5));
    store.create(newHash(), newer, 5, LimitAction.REJECT_NEW, clock.instant());
    store.create(newHash(), older, 5, LimitAction.REJECT_NEW, clock.instant());
    assertEquals(List.of(older, newer), store.list("alice", clock.instant().plusSeconds(5)));
    assertEquals(List.of(newer), store.list("alice", clock.instant().plus(Duration.ofHours(1))));
    assertEquals(List.of(), store.list("alice", clock.instant().plus(Duration.ofHours(2))));
  }

  @Test
  void limit_rejectNew_storesNothing() {
    store.create(newHash(), session("alice", clock.instant()), 2, LimitAction.REJECT_NEW, clock.instant());
    store.create(newHash(), session("alice", clock.instant()), 2, LimitAction.REJECT_NEW, clock.instant());
    TokenHash third = newHash();
    SessionStore.CreateResult r = store.create(third, session("alice", clock.instant()), 2, LimitAction.REJECT_NEW, clock.instant());
    assertFalse(r.created());
    assertEquals(Optional.empty(), store.find(third));
    assertEquals(2, store.list("alice", clock.instant()).size());
  }

  @Test
  void limit_evictOldest_returnsEvicted() {
    Session first = session("alice", clock.instant());
    Session second = session("alice", clock.instant().plusSeconds(1));
    TokenHash h1 = newHash();
    store.create(h1, first, 2, LimitAction.EVICT_OLDEST, clock.instant());
    store.create(newHash(), second, 2, LimitAction.EVICT_OLDEST, clock.instant());
    Instant now = clock.advance(Duration.ofSeconds(2));
    SessionStore.CreateResult r = store.create(newHash(), session("alice", now), 2, LimitAction.EVICT_OLDEST, now);
    assertTrue(r.created());
    assertEquals(List.of(first), r.evicted());
    assertEquals(Optional.empty(), store.find(h1));
    assertEquals(2, store.list("alice", now).size());
  }

  @Test
  void deadSessions_doNotCount() {
    store.create(newHash(), session("alice", clock.instant()), 1, LimitAction.REJECT_NEW, clock.instant());
    Instant later = clock.advance(Duration.ofHours(1));
    assertTrue(store.create(newHash(), session("alice", later), 1, LimitAction.REJECT_NEW, later).created());
  }

  @Test
  void parallelCreates_neverExceedTheLimit_acrossNodes() throws Exception {
    SessionStore[] nodes = {store, secondNode()};
    for (LimitAction action : LimitAction.values()) {
      String user = "user-" + action;
      int limit = 3;
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          SessionStore node = nodes[i % 2];
          Instant at = clock.instant().plusMillis(i);
          results.add(pool.submit(() -> {
            go.await();
            return node.create(newHash(), session(user, at), limit, action, clock.instant()).created();
          }));
        }
        go.countDown();
        int created = 0;
        for (Future<Boolean> f : results) {
          created += f.get() ? 1 : 0;
        }
        assertEquals(limit, store.list(user, clock.instant()).size(), action.name());
        assertEquals(action == LimitAction.REJECT_NEW ? limit : 16, created, action.name());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** The level each factor proved survives the store (a synced passkey's AAL2 is not read back as AAL3). */
  @Test
  void factorLevels_roundTrip() {
    Session s = new Session("c3d4", "alice", AssuranceLevel.AAL3,
        Map.of(Factor.WEBAUTHN, clock.instant(), Factor.PASSWORD, clock.instant()), clock.instant(), clock.instant(),
        clock.instant(), Duration.ofMinutes(15), clock.instant().plus(Duration.ofHours(12)), Optional.empty(),
        Map.of(Factor.WEBAUTHN, AssuranceLevel.AAL2));
    TokenHash h = newHash();
    assertTrue(store.create(h, s, 5, LimitAction.REJECT_NEW, clock.instant()).created());
    Session back = store.find(h).orElseThrow();
    assertEquals(Optional.of(AssuranceLevel.AAL2), back.provenLevel(Factor.WEBAUTHN));
    assertEquals(Optional.of(AssuranceLevel.AAL1), back.provenLevel(Factor.PASSWORD));
    assertEquals(s, back);
  }
}
