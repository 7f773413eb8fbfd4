package dev.bulwark.testkit.authn.totp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.totp.PendingTotpEnrollment;
import dev.bulwark.authn.totp.TotpAlgorithm;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpCredential;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpSettings;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testkit.StoreContract;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link PendingTotpEnrollmentStore} must have: one enrolment per account,
 * returned byte for byte while live and never after it expires; attempts counted atomically up to
 * the maximum; completion granted to exactly one caller. With {@link TotpAuthenticator} on top:
 * parallel confirmations of one enrolment succeed exactly once, an expired enrolment cannot be
 * confirmed, and parallel wrong guesses get no more checks than the attempt limit.
 *
 * <p>Extend it and return a fresh, empty store; for a store shared by nodes, override
 * {@link #secondNode()}, and {@link #credentialStore()} to confirm into the credential store that
 * goes with it. Instants round-trip to the microsecond at least; the tests use aligned ones.
 */
public abstract class PendingTotpEnrollmentStoreContract extends StoreContract<PendingTotpEnrollmentStore> {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Another instance over the same data ("another node"); by default the same instance. */
  protected PendingTotpEnrollmentStore secondNode() throws Exception {
    return store;
  }

  /** The credential store confirmed enrolments go to; by default a fresh in-memory one. */
  protected TotpCredentialStore credentialStore() throws Exception {
    return TotpCredentialStore.inMemory();
  }

  /** Threads racing in the concurrency tests. */
  protected int concurrencyThreads() {
    return 8;
  }

  protected PendingTotpEnrollment pending(String account, String credentialId, Duration life) {
    byte[] seed = new byte[60];
    RANDOM.nextBytes(seed);
    Instant created = clock.instant().plusNanos(5_000);
    return new PendingTotpEnrollment(account, credentialId, seed, new TotpSettings(TotpAlgorithm.SHA256, 8,
        Duration.ofSeconds(45), 2), "Example Ltd.", account + "@example.com", created, created.plus(life), 0);
  }

  protected static void assertSamePending(PendingTotpEnrollment expected, PendingTotpEnrollment actual) {
    assertEquals(expected.accountId(), actual.accountId());
    assertEquals(expected.credentialId(), actual.credentialId());
    assertArrayEquals(expected.protectedSeed(), actual.protectedSeed());
    assertEquals(expected.settings(), actual.settings());
    assertEquals(expected.issuer(), actual.issuer());
    assertEquals(expected.accountName(), actual.accountName());
    assertEquals(expected.createdAt(), actual.createdAt());
    assertEquals(expected.expiresAt(), actual.expiresAt());
    assertEquals(expected.attempts(), actual.attempts());
    assertEquals(expected, actual);
  }

  @Test
  void save_thenFind_roundTripsEveryField_whileLive() {
    PendingTotpEnrollment p = pending("alice", "totp-1", Duration.ofMinutes(10));
    store.save(p);
    assertSamePending(p, store.find("alice", clock.instant()).orElseThrow());
    assertEquals(Optional.empty(), store.find("bob", clock.instant()));
    assertTrue(store.find("alice", p.expiresAt().minusNanos(1_000)).isPresent());
    assertEquals(Optional.empty(), store.find("alice", p.expiresAt()), "expired at its expiry instant");
  }

  @Test
  void save_replacesTheAccountsPendingEnrollment_andResetsAttempts() {
    store.save(pending("alice", "totp-1", Duration.ofMinutes(10)));
    assertTrue(store.reserveAttempt("alice", clock.instant(), 5).isPresent());
    PendingTotpEnrollment second = pending("alice", "totp-2", Duration.ofMinutes(5));
    store.save(second);
    assertSamePending(second, store.find("alice", clock.instant()).orElseThrow());
    assertFalse(store.complete("alice", "totp-1", clock.instant()), "the replaced enrolment cannot complete");
    assertTrue(store.complete("alice", "totp-2", clock.instant()));
  }

  @Test
  void reserveAttempt_countsUpToTheMaximum() {
    PendingTotpEnrollment p = pending("alice", "totp-1", Duration.ofMinutes(10));
    store.save(p);
    for (int i = 1; i <= 3; i++) {
      PendingTotpEnrollment r = store.reserveAttempt("alice", clock.instant(), 3).orElseThrow();
      assertEquals(i, r.attempts());
      assertArrayEquals(p.protectedSeed(), r.protectedSeed());
      assertEquals(p.credentialId(), r.credentialId());
    }
    assertEquals(Optional.empty(), store.reserveAttempt("alice", clock.instant(), 3));
    assertEquals(3, store.find("alice", clock.instant()).orElseThrow().attempts());
    assertEquals(Optional.empty(), store.reserveAttempt("nobody", clock.instant(), 3));
  }

  @Test
  void anExpiredEnrollment_cannotBeReservedNorCompleted() {
    PendingTotpEnrollment p = pending("alice", "totp-1", Duration.ofMinutes(10));
    store.save(p);
    assertEquals(Optional.empty(), store.reserveAttempt("alice", p.expiresAt(), 5));
    assertFalse(store.complete("alice", "totp-1", p.expiresAt()));
    assertFalse(store.complete("alice", "totp-1", p.expiresAt().plusSeconds(3600)));
  }

  @Test
  void complete_onlyTheMatchingCredential_once() {
    store.save(pending("alice", "totp-1", Duration.ofMinutes(10)));
    assertFalse(store.complete("alice", "totp-other", clock.instant()));
    assertFalse(store.complete("bob", "totp-1", clock.instant()));
    assertTrue(store.complete("alice", "totp-1", clock.instant()));
    assertFalse(store.complete("alice", "totp-1", clock.instant()));
    assertEquals(Optional.empty(), store.find("alice", clock.instant()));
  }

  @Test
  void delete_andPurgeExpired() {
    store.save(pending("alice", "totp-a", Duration.ofMinutes(1)));
    store.save(pending("bob", "totp-b", Duration.ofMinutes(10)));
    store.save(pending("carol", "totp-c", Duration.ofMinutes(20)));
    assertTrue(store.delete("carol"));
    assertFalse(store.delete("carol"));
    assertEquals(1, store.purgeExpired(clock.instant().plus(Duration.ofMinutes(5))));
    assertEquals(Optional.empty(), store.find("alice", clock.instant()));
    assertTrue(store.find("bob", clock.instant()).isPresent());
  }

  @Test
  void parallelReservations_neverExceedTheMaximum_acrossNodes() throws Exception {
    store.save(pending("alice", "totp-1", Duration.ofMinutes(10)));
    PendingTotpEnrollmentStore[] nodes = {store, secondNode()};
    List<Optional<PendingTotpEnrollment>> results = race(32, i -> () -> nodes[i % 2].reserveAttempt("alice", clock.instant(), 5));
    assertEquals(5, results.stream().filter(Optional::isPresent).count());
    assertEquals(List.of(1, 2, 3, 4, 5), results.stream().flatMap(Optional::stream).map(PendingTotpEnrollment::attempts)
        .sorted().toList());
  }

  @Test
  void parallelCompletions_succeedExactlyOnce_acrossNodes() throws Exception {
    store.save(pending("alice", "totp-1", Duration.ofMinutes(10)));
    PendingTotpEnrollmentStore[] nodes = {store, secondNode()};
    List<Boolean> results = race(32, i -> () -> nodes[i % 2].complete("alice", "totp-1", clock.instant()));
    assertEquals(1, results.stream().filter(b -> b).count());
  }

  // ---- with TotpAuthenticator on top ----

  private TotpAuthenticator authenticator(PendingTotpEnrollmentStore pendingStore, TotpCredentialStore credentials,
      UsedTotpStepStore usedSteps, SeedProtector protector) {
    return TotpAuthenticator.builder(credentials, usedSteps).seedProtector(protector).pendingEnrollments(pendingStore)
        .maxConfirmationAttempts(5).enrollmentTimeout(Duration.ofMinutes(10)).clock(clock).build();
  }

  private String codeAt(TotpEnrollment e, Instant at) {
    return new TotpVerifier(e.uri().settings(), UsedTotpStepStore.inMemory(clock), clock).codeAt(e.uri().secret(), at);
  }

  /**
   * Many requests confirm one pending enrolment at once on two nodes, each with a valid code of
   * the window (previous, current or next step): exactly one succeeds, and the stored credential
   * is that enrolment's.
   */
  @Test
  void parallelConfirmations_ofOnePendingEnrollment_succeedExactlyOnce() throws Exception {
    SeedProtector protector = TotpTestProtector.create();
    TotpCredentialStore credentials = credentialStore();
    UsedTotpStepStore used = UsedTotpStepStore.inMemory(clock);
    TotpAuthenticator nodeA = authenticator(store, credentials, used, protector);
    TotpAuthenticator nodeB = authenticator(secondNode(), credentials, used, protector);
    clock.advance(Duration.ofSeconds(45));
    TotpEnrollment e = nodeA.beginPendingEnrollment("alice", "Example", "alice@example.com");
    Instant now = clock.instant();
    Duration step = e.uri().settings().period();
    List<String> codes = List.of(codeAt(e, now.minus(step)), codeAt(e, now), codeAt(e, now.plus(step)));
    TotpAuthenticator[] nodes = {nodeA, nodeB};
    List<Boolean> results = race(concurrencyThreads() * 2, i -> () -> {
      try {
        return nodes[i % 2].confirmPendingEnrollment("alice", codes.get(i % 3));
      } catch (java.security.GeneralSecurityException ex) {
        throw new AssertionError(ex);
      }
    });
    assertEquals(1, results.stream().filter(b -> b).count(), results.toString());
    TotpCredential c = credentials.find("alice").orElseThrow();
    assertEquals(e.credentialId(), c.credentialId());
    assertEquals(Optional.empty(), store.find("alice", clock.instant()));
    assertFalse(nodeB.confirmPendingEnrollment("alice", codeAt(e, clock.instant().plus(step))), "nothing left to confirm");
    clock.advance(step.multipliedBy(2));
    assertTrue(nodeB.verify("alice", codeAt(e, clock.instant())).accepted(), "the confirmed credential works on node B");
  }

  /** An enrolment whose time ran out is not confirmed by a right code, and nothing is stored. */
  @Test
  void anExpiredPendingEnrollment_cannotBeConfirmed() throws Exception {
    TotpCredentialStore credentials = credentialStore();
    TotpAuthenticator totp = authenticator(store, credentials, UsedTotpStepStore.inMemory(clock), TotpTestProtector.create());
    TotpEnrollment e = totp.beginPendingEnrollment("alice", "Example", "alice@example.com");
    assertTrue(totp.pendingEnrollment("alice").isPresent());
    clock.advance(Duration.ofMinutes(10));
    assertEquals(Optional.empty(), totp.pendingEnrollment("alice"));
    assertFalse(totp.confirmPendingEnrollment("alice", codeAt(e, clock.instant())));
    assertEquals(Optional.empty(), credentials.find("alice"));
  }

  /** Parallel wrong guesses on two nodes get at most the attempt limit; then even the right code fails. */
  @Test
  void parallelWrongGuesses_areBoundedByTheAttemptLimit() throws Exception {
    TotpCredentialStore credentials = credentialStore();
    SeedProtector protector = TotpTestProtector.create();
    UsedTotpStepStore used = UsedTotpStepStore.inMemory(clock);
    TotpAuthenticator[] nodes = {authenticator(store, credentials, used, protector),
        authenticator(secondNode(), credentials, used, protector)};
    TotpEnrollment e = nodes[0].beginPendingEnrollment("alice", "Example", "alice@example.com");
    String right = codeAt(e, clock.instant());
    String wrong = right.equals("00000000") ? "11111111" : "00000000";
    List<Boolean> results = race(concurrencyThreads() * 4, i -> () -> nodes[i % 2].confirmPendingEnrollment("alice", wrong));
    assertFalse(results.contains(true));
    assertEquals(5, store.find("alice", clock.instant()).orElseThrow().attempts());
    assertFalse(nodes[1].confirmPendingEnrollment("alice", right));
    assertEquals(Optional.empty(), credentials.find("alice"));
  }

  /** The pending enrolment shows the same secret again on any node, and the store holds only the protector's output. */
  @Test
  void pendingEnrollment_isShownAgain_andStoredProtected() throws Exception {
    SeedProtector protector = TotpTestProtector.create();
    TotpAuthenticator a = authenticator(store, credentialStore(), UsedTotpStepStore.inMemory(clock), protector);
    TotpAuthenticator b = authenticator(secondNode(), credentialStore(), UsedTotpStepStore.inMemory(clock), protector);
    TotpEnrollment e = a.beginPendingEnrollment("alice", "Example", "alice@example.com");
    TotpEnrollment again = b.pendingEnrollment("alice").orElseThrow();
    assertEquals(e.credentialId(), again.credentialId());
    assertEquals(e.uri().toUriString(), again.uri().toUriString());
    byte[] stored = store.find("alice", clock.instant()).orElseThrow().protectedSeed();
    byte[] seed = e.uri().secret().copyBytes();
    assertFalse(indexOf(stored, seed) >= 0, "the plaintext seed is not in the stored bytes");
    assertTrue(b.cancelPendingEnrollment("alice"));
    assertEquals(Optional.empty(), a.pendingEnrollment("alice"));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** A task for racer {@code i}. */
  @FunctionalInterface
  protected interface Racer<T> {
    Callable<T> task(int i);
  }

  /** Runs {@code n} tasks released at once on {@link #concurrencyThreads()} threads; their results in order. */
  protected <T> List<T> race(int n, Racer<T> racer) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrencyThreads());
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Callable<T> task = racer.task(i);
        futures.add(pool.submit(() -> {
          go.await();
          return task.call();
        }));
      }
      go.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
