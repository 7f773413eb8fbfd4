package dev.bulwark.testkit.authn.totp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.totp.TotpAlgorithm;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpCredential;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpSettings;
import dev.bulwark.authn.totp.TotpVerification;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testkit.StoreContract;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
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

/**
 * The behaviour every {@link TotpCredentialStore} must have: one credential per account, stored
 * and returned byte for byte, replaced whole, accounts never mixed up (a credential of A never
 * verifies for B), and concurrent saves leaving one whole credential. Extend it and return a
 * fresh, empty store; for a store shared by nodes, also override {@link #secondNode()}.
 *
 * <p>Instants round-trip to the microsecond at least; the tests use microsecond-aligned ones.
 */
public abstract class TotpCredentialStoreContract extends StoreContract<TotpCredentialStore> {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Another instance over the same data ("another node"); by default the same instance. */
  protected TotpCredentialStore secondNode() throws Exception {
    return store;
  }

  protected static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  protected TotpCredential credential(String account, String credentialId, TotpSettings settings) {
    return new TotpCredential(account, credentialId, randomBytes(60), settings, clock.instant().plusNanos(123_000));
  }

  protected static void assertSameCredential(TotpCredential expected, TotpCredential actual) {
    assertEquals(expected.accountId(), actual.accountId());
    assertEquals(expected.credentialId(), actual.credentialId());
    assertArrayEquals(expected.protectedSeed(), actual.protectedSeed());
    assertEquals(expected.settings(), actual.settings());
    assertEquals(expected.enrolledAt(), actual.enrolledAt());
  }

  @Test
  void save_thenFind_roundTripsEveryField() {
    for (TotpSettings s : List.of(TotpSettings.DEFAULT,
        new TotpSettings(TotpAlgorithm.SHA512, 8, Duration.ofSeconds(60), 3),
        new TotpSettings(TotpAlgorithm.SHA256, 7, Duration.ofSeconds(1), 0))) {
      TotpCredential c = credential("acct-" + s.digits(), "totp-" + s.digits(), s);
      store.save(c);
      assertSameCredential(c, store.find("acct-" + s.digits()).orElseThrow());
    }
    assertEquals(Optional.empty(), store.find("nobody"));
  }

  @Test
  void save_replacesTheAccountsCredential_whole() {
    TotpCredential first = credential("alice", "totp-1", TotpSettings.DEFAULT);
    TotpCredential second = credential("alice", "totp-2", new TotpSettings(TotpAlgorithm.SHA256, 8, Duration.ofSeconds(30), 1));
    store.save(first);
    store.save(second);
    assertSameCredential(second, store.find("alice").orElseThrow());
  }

  @Test
  void delete_removesOnlyThatAccount() {
    store.save(credential("alice", "totp-a", TotpSettings.DEFAULT));
    store.save(credential("bob", "totp-b", TotpSettings.DEFAULT));
    assertTrue(store.delete("alice"));
    assertFalse(store.delete("alice"));
    assertEquals(Optional.empty(), store.find("alice"));
    assertTrue(store.find("bob").isPresent());
  }

  /** Look-alike account ids are different accounts: no case folding, trimming or width mapping. */
  @Test
  void lookAlikeAccounts_areNeverMixedUp() {
    List<String> accounts = List.of("alice", "Alice", "alice ", " alice", "ａｌｉｃｅ", "alice%", "alic_");
    List<TotpCredential> saved = new ArrayList<>();
    for (int i = 0; i < accounts.size(); i++) {
      TotpCredential c = credential(accounts.get(i), "totp-" + i, TotpSettings.DEFAULT);
      store.save(c);
      saved.add(c);
    }
    for (int i = 0; i < accounts.size(); i++) {
      assertSameCredential(saved.get(i), store.find(accounts.get(i)).orElseThrow());
    }
    assertEquals(Optional.empty(), store.find("ALICE"));
    assertEquals(Optional.empty(), store.find("alic"));
  }

  /** Concurrent saves for one account from two nodes leave one of them, whole (never a mix of rows). */
  @Test
  void concurrentSaves_leaveOneWholeCredential() throws Exception {
    TotpCredentialStore[] nodes = {store, secondNode()};
    List<TotpCredential> all = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      all.add(credential("carol", "totp-c" + i,
          new TotpSettings(i % 2 == 0 ? TotpAlgorithm.SHA1 : TotpAlgorithm.SHA512, 6 + i % 3, Duration.ofSeconds(30 + i), 1)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        TotpCredentialStore node = nodes[i % 2];
        TotpCredential c = all.get(i);
        done.add(pool.submit(() -> {
          go.await();
          node.save(c);
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    TotpCredential kept = store.find("carol").orElseThrow();
    TotpCredential expected = all.stream().filter(c -> c.credentialId().equals(kept.credentialId())).findFirst().orElseThrow();
    assertSameCredential(expected, kept);
  }

  /**
   * Through {@link TotpAuthenticator} with an encrypting protector: A's code never verifies for
   * B, enrolled or not, and A's protected seed copied into B's credential (someone with write
   * access to the store) does not decrypt, so it verifies nothing either.
   */
  @Test
  void aCredentialOfA_neverVerifiesForB() throws Exception {
    SeedProtector protector = TotpTestProtector.create();
    TotpAuthenticator totp = TotpAuthenticator.builder(store, UsedTotpStepStore.inMemory(clock))
        .seedProtector(protector).clock(clock).build();
    TotpEnrollment a = totp.beginEnrollment("acct-a", "Example", "a@example.com");
    assertTrue(totp.confirmEnrollment(a, codeAt(a, clock.instant())));
    clock.advance(Duration.ofSeconds(30));

    assertEquals(TotpVerification.Outcome.REJECTED, totp.verify("acct-b", codeAt(a, clock.instant())).outcome());
    TotpEnrollment b = totp.beginEnrollment("acct-b", "Example", "b@example.com");
    assertTrue(totp.confirmEnrollment(b, codeAt(b, clock.instant())));
    clock.advance(Duration.ofSeconds(30));
    String aCode = codeAt(a, clock.instant());
    if (!aCode.equals(codeAt(b, clock.instant()))) {
      assertFalse(totp.verify("acct-b", aCode).accepted());
    }

    TotpCredential aStored = store.find("acct-a").orElseThrow();
    TotpCredential bStored = store.find("acct-b").orElseThrow();
    assertFalse(aStored.credentialId().equals(bStored.credentialId()));
    store.save(new TotpCredential("acct-b", bStored.credentialId(), aStored.protectedSeed(), aStored.settings(),
        bStored.enrolledAt()));
    clock.advance(Duration.ofSeconds(30));
    String code = codeAt(a, clock.instant());
    assertThrows(GeneralSecurityException.class, () -> totp.verify("acct-b", code));
    assertTrue(totp.verify("acct-a", code).accepted());
  }

  /** A code of {@code e}'s secret at {@code at}. */
  protected String codeAt(TotpEnrollment e, Instant at) {
    return new TotpVerifier(e.uri().settings(), UsedTotpStepStore.inMemory(clock), clock).codeAt(e.uri().secret(), at);
  }
}
