package dev.bulwark.testkit.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authz.Binding;
import dev.bulwark.authz.DenyRule;
import dev.bulwark.authz.Permission;
import dev.bulwark.authz.Policy;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Review;
import dev.bulwark.authz.Role;
import dev.bulwark.authz.Scope;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.testkit.StoreContract;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link AuthzStore} must have. */
public abstract class AuthzStoreContract extends StoreContract<AuthzStore> {

  protected static Policy definitions(String version) {
    return new Policy(version, Map.of("document", Set.of("read", "write")),
        Map.of("viewer", Role.of("viewer", new Permission("document", "read")),
            "editor", new Role("editor", Set.of(new Permission("document", "write")), Set.of("viewer"))),
        Map.of("eng", Set.of(Principal.user("alice"), Principal.service("ci"))),
        List.of(new DenyRule("x1", Principal.user("mallory"), new Permission("document", "write"), "acme",
            Scope.subtree("document", "legal"))),
        List.of());
  }

  protected Binding binding(String id) {
    Instant t = clock.instant().plusNanos(123);
    return new Binding(id, Principal.user("bob"), "viewer", "acme", Scope.resource("document", "d'1; --"),
        Optional.of(t), Optional.of(t.plusSeconds(60)), Optional.of(t.plusSeconds(3600)));
  }

  @Test
  void newStore_isEmptyAtRevisionZero() {
    AuthzStore.Snapshot s = store.read();
    assertEquals(0, s.revision());
    assertTrue(s.policy().roles().isEmpty());
    assertTrue(s.policy().bindings().isEmpty());
  }

  @Test
  void definitionsAndBindings_roundTrip_andEachWriteBumpsTheRevision() {
    Binding fromFile = Binding.of("f1", Principal.group("eng"), "editor", "acme", Scope.organization());
    assertEquals(OptionalLong.of(1), store.replaceDefinitions(definitions("v1").plus(fromFile), 0));
    Binding b = binding("b1");
    assertEquals(OptionalLong.of(2), store.putBinding(b, 1));
    AuthzStore.Snapshot s = store.read();
    assertEquals(2, s.revision());
    assertEquals(definitions("v1").roles(), s.policy().roles());
    assertEquals(definitions("v1").denies(), s.policy().denies());
    assertEquals(definitions("v1").groups(), s.policy().groups());
    assertEquals("v1", s.policy().version());
    assertEquals(Set.of(fromFile, b), Set.copyOf(s.policy().bindings()));
  }

  @Test
  void putBinding_replacesById_removeBinding_removes() {
    store.replaceDefinitions(definitions("v1"), 0);
    store.putBinding(binding("b1"), 1);
    Binding changed = Binding.of("b1", Principal.user("carol"), "editor", "acme", Scope.organization());
    assertEquals(OptionalLong.of(3), store.putBinding(changed, 2));
    assertEquals(List.of(changed), store.read().policy().bindings());
    assertEquals(OptionalLong.empty(), store.removeBinding("nope", 3));
    assertEquals(OptionalLong.of(4), store.removeBinding("b1", 3));
    assertEquals(List.of(), store.read().policy().bindings());
  }

  @Test
  void staleRevision_isRefused_andNothingChanges() {
    store.replaceDefinitions(definitions("v1"), 0);
    store.putBinding(binding("b1"), 1);
    AuthzStore.Snapshot before = store.read();
    assertEquals(OptionalLong.empty(), store.replaceDefinitions(definitions("v2").plus(binding("b9")), 1));
    assertEquals(OptionalLong.empty(), store.putBinding(binding("b2"), 1));
    assertEquals(OptionalLong.empty(), store.removeBinding("b1", 0));
    assertEquals(before, store.read());
  }

  @Test
  void reviews_areAppendedAndListedPerBinding_inOrder() {
    Instant t = clock.instant();
    Review r1 = new Review("b1", Review.Outcome.CERTIFIED, "rita", "still needed", t, Optional.of(t.plusSeconds(9)));
    Review r2 = new Review("b2", Review.Outcome.REVOKED, "rita", "left the team", t.plusNanos(1), Optional.empty());
    Review r3 = new Review("b1", Review.Outcome.REVOKED, "sam", "", t.plusNanos(2), Optional.empty());
    store.appendReview(r1);
    store.appendReview(r2);
    store.appendReview(r3);
    assertEquals(List.of(r1, r3), store.reviews("b1"));
    assertEquals(List.of(r2), store.reviews("b2"));
    assertEquals(List.of(), store.reviews("b3"));
  }

  @Test
  void racingWriters_onOneRevision_haveOneWinner() throws Exception {
    store.replaceDefinitions(definitions("v1"), 0);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<OptionalLong>> results = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Binding b = binding("race-" + i);
        results.add(pool.submit(() -> {
          go.await();
          return store.putBinding(b, 1);
        }));
      }
      go.countDown();
      int winners = 0;
      for (Future<OptionalLong> f : results) {
        winners += f.get().isPresent() ? 1 : 0;
      }
      assertEquals(1, winners);
      assertEquals(2, store.read().revision());
      assertEquals(1, store.read().policy().bindings().size());
    } finally {
      pool.shutdownNow();
    }
  }
}
