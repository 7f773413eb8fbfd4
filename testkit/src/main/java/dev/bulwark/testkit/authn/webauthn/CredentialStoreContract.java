package dev.bulwark.testkit.authn.webauthn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.common.Bytes;
import dev.bulwark.authn.webauthn.StoredCredential;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.testkit.StoreContract;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The behaviour every WebAuthn {@link CredentialStore} must have. */
public abstract class CredentialStoreContract extends StoreContract<CredentialStore> {

  private static final SecureRandom RANDOM = new SecureRandom();

  protected static Bytes random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return Bytes.of(b);
  }

  protected StoredCredential credential(String username, Bytes handle, Optional<Boolean> discoverable) {
    return new StoredCredential(random(32), handle, username, random(77), 0, discoverable, false, false,
        clock.instant().plusNanos(11_000), Optional.empty());
  }

  @Test
  void save_thenTheFiveLookups() {
    Bytes handle = random(32);
    StoredCredential a = credential("alice", handle, Optional.of(true));
    StoredCredential b = credential("alice", handle, Optional.empty());
    store.save(a);
    store.save(b);
    assertEquals(Set.of(a, b), store.forUsername("alice"));
    assertEquals(Optional.of(handle), store.userHandleFor("alice"));
    assertEquals(Optional.of("alice"), store.usernameFor(handle));
    assertEquals(Optional.of(a), store.find(a.credentialId(), handle));
    assertEquals(Set.of(b), store.findAll(b.credentialId()));
  }

  @Test
  void unknownLookups_areEmpty() {
    assertEquals(Set.of(), store.forUsername("nobody"));
    assertEquals(Optional.empty(), store.userHandleFor("nobody"));
    assertEquals(Optional.empty(), store.usernameFor(random(32)));
    assertEquals(Optional.empty(), store.find(random(32), random(32)));
    assertEquals(Set.of(), store.findAll(random(32)));
  }

  @Test
  void find_withAnotherUsersHandle_isEmpty() {
    StoredCredential a = credential("alice", random(32), Optional.empty());
    store.save(a);
    assertEquals(Optional.empty(), store.find(a.credentialId(), random(32)));
  }

  @Test
  void duplicateCredentialId_isRejected_originalKept() {
    StoredCredential a = credential("alice", random(32), Optional.empty());
    store.save(a);
    StoredCredential clash = new StoredCredential(a.credentialId(), random(32), "mallory", random(77), 5,
        Optional.empty(), false, false, clock.instant(), Optional.empty());
    assertThrows(IllegalArgumentException.class, () -> store.save(clash));
    assertEquals(Set.of(a), store.findAll(a.credentialId()));
    assertEquals(Set.of(), store.forUsername("mallory"));
  }

  @Test
  void usernameWithAnotherHandle_isRejected() {
    store.save(credential("alice", random(32), Optional.empty()));
    assertThrows(IllegalArgumentException.class, () -> store.save(credential("alice", random(32), Optional.empty())));
    assertEquals(1, store.forUsername("alice").size());
  }

  @Test
  void updateUsage_storesCounterBackupStateAndTime() {
    StoredCredential a = credential("alice", random(32), Optional.empty());
    store.save(a);
    Instant used = clock.instant().plusSeconds(30).plusNanos(3_000);
    assertTrue(store.updateUsage(a.credentialId(), 42, true, used));
    StoredCredential after = store.find(a.credentialId(), a.userHandle()).orElseThrow();
    assertEquals(42, after.signatureCount());
    assertTrue(after.backedUp());
    assertEquals(Optional.of(used), after.lastUsedAt());
    assertFalse(store.updateUsage(random(32), 1, false, used));
  }

  @Test
  void delete_removes() {
    StoredCredential a = credential("alice", random(32), Optional.empty());
    store.save(a);
    assertTrue(store.delete(a.credentialId()));
    assertFalse(store.delete(a.credentialId()));
    assertEquals(Set.of(), store.forUsername("alice"));
  }
}
