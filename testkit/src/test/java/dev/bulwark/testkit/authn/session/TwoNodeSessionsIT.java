package dev.bulwark.testkit.authn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.LimitAction;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.SessionPolicy;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two application nodes, each with its own DataSource and JdbcSessionStore, sharing PostgreSQL. */
class TwoNodeSessionsIT {

  private PostgresSchema db;
  private final FakeClock clock = FakeClock.atDefaultEpoch();

  @BeforeEach
  void setUp() {
    db = PostgresSchema.create("authn_twonode");
  }

  @AfterEach
  void tearDown() throws Exception {
    db.close();
  }

  private Sessions node(SessionPolicy policy) {
    return Sessions.builder(new JdbcSessionStore(db.dataSource())).policy(policy).clock(clock).build();
  }

  @Test
  void parallelLogins_onTwoNodes_neverExceedTheLimit() throws Exception {
    for (LimitAction action : LimitAction.values()) {
      SessionPolicy policy = SessionPolicy.nist(AssuranceLevel.AAL2).withLimit(2, action);
      Sessions[] nodes = {node(policy), node(policy)};
      String user = "alice-" + action;
      for (int round = 0; round < 5; round++) {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
          CountDownLatch go = new CountDownLatch(1);
          List<Future<Boolean>> results = new ArrayList<>();
          for (int i = 0; i < 12; i++) {
            Sessions n = nodes[i % 2];
            results.add(pool.submit(() -> {
              go.await();
              try {
                n.create(user, AssuranceLevel.AAL2, Map.of(Factor.PASSWORD, clock.instant()));
                return true;
              } catch (SessionException e) {
                assertEquals(SessionException.Reason.LIMIT_REACHED, e.reason());
                return false;
              }
            }));
          }
          go.countDown();
          for (Future<Boolean> f : results) {
            f.get();
          }
          int liveA = nodes[0].list(user).size();
          assertTrue(liveA <= 2, action + " round " + round + ": " + liveA + " live sessions");
          assertEquals(2, nodes[1].list(user).size());
        } finally {
          pool.shutdownNow();
        }
      }
    }
  }

  @Test
  void tokenIssuedOnOneNode_validatesRotatesAndRevokesOnTheOther() throws Exception {
    SessionPolicy policy = SessionPolicy.nist(AssuranceLevel.AAL3);
    Sessions a = node(policy);
    Sessions b = node(policy);
    IssuedSession s = a.create("bob", AssuranceLevel.AAL3, Map.of(Factor.WEBAUTHN, clock.instant()));
    assertEquals("bob", b.validate(s.token().reveal()).userId());
    IssuedSession rotated = b.rotate(s.token().reveal());
    assertThrows(SessionException.class, () -> a.validate(s.token().reveal()));
    a.validate(rotated.token().reveal());
    clock.advance(Duration.ofMinutes(15));
    assertEquals(SessionException.Reason.IDLE_TIMEOUT,
        assertThrows(SessionException.class, () -> b.validate(rotated.token().reveal())).reason());
    IssuedSession again = a.create("bob", AssuranceLevel.AAL3, Map.of(Factor.WEBAUTHN, clock.instant()));
    assertEquals(1, b.revokeAll("bob"));
    assertThrows(SessionException.class, () -> a.validate(again.token().reveal()));
  }
}
