package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** Every stored keyring change is reported to the host's listener, and a lost report is never silent. */
class KeyEventTest {

  private static final EncryptionContext CTX = EncryptionContext.of("tenant", "acme");

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<KeyEvent> events = new CopyOnWriteArrayList<>();

  private Keyrings keyrings(KeyEventListener listener, RotationPolicy policy) throws Exception {
    return Keyrings.builder(KeyringStores.inMemory(), KekProviders.local(Fixture.randomMaster())).clock(now::get)
        .rotationPolicy(policy).refreshInterval(Duration.ZERO).listener(listener).build();
  }

  private List<String> types() {
    return events.stream().map(KeyEvent::type).toList();
  }

  @Test
  void everyKeyChange_emitsOneEvent_withVersionsAndTrigger() throws Exception {
    Keyrings keyrings = keyrings(events::add, RotationPolicy.DEFAULT);
    Keyring k = keyrings.keyring("tenant-acme");
    k.rotate();
    k.disable(1);
    k.disable(1); // already disabled: nothing changed, nothing reported
    k.enable(1);
    k.setMinDecryptableVersion(2);
    k.destroy(1);
    k.destroy(1);
    ShredReceipt receipt = keyrings.shred("tenant-acme");
    keyrings.shred("tenant-acme"); // idempotent: the first receipt, no second event
    assertEquals(List.of(KeyEvent.KEYRING_CREATED, KeyEvent.KEY_ROTATED, KeyEvent.KEY_DISABLED, KeyEvent.KEY_ENABLED,
        KeyEvent.MIN_VERSION_CHANGED, KeyEvent.KEY_DESTROYED, KeyEvent.SCOPE_SHREDDED), types());
    assertEquals(Map.of("version", "2", "previous_version", "1", "trigger", "manual"), events.get(1).details());
    assertEquals("1,2", events.get(6).details().get("versions_destroyed"));
    assertEquals(receipt.shreddedAt().toString(), events.get(6).details().get("shredded_at"));
    assertTrue(events.stream().allMatch(e -> e.keyring().equals("tenant-acme")));
    assertEquals(KeyEvent.TYPES.size(), events.size(), "every declared type was emitted once");
  }

  @Test
  void automaticRotation_byAgeAndByCount_isReportedWithItsTrigger() throws Exception {
    Keyrings keyrings = keyrings(events::add, new RotationPolicy(Duration.ofDays(1), 2));
    Envelope envelope = Envelope.builder(keyrings).dataKeyCache(DataKeyCachePolicy.NONE).keyringId("k").build();
    byte[] pt = "x".getBytes(StandardCharsets.UTF_8);
    envelope.encrypt(pt, CTX);
    envelope.encrypt(pt, CTX);
    envelope.encrypt(pt, CTX);
    now.updateAndGet(t -> t.plus(Duration.ofDays(2)));
    envelope.encrypt(pt, CTX);
    List<String> triggers = events.stream().filter(e -> e.type().equals(KeyEvent.KEY_ROTATED))
        .map(e -> e.details().get("trigger")).toList();
    assertEquals(List.of("count", "age"), triggers);
  }

  @Test
  void plainListenerThatThrows_isLogged_andTheRotationStands() throws Exception {
    try (LogCapture log = LogCapture.of("dev.bulwark.crypto")) {
      Keyrings keyrings = keyrings(e -> {
        throw new IllegalStateException("audit down");
      }, RotationPolicy.DEFAULT);
      Keyring k = keyrings.keyring("k");
      assertEquals(2, k.rotate().version());
      assertEquals(2, k.primaryVersion());
      List<LogRecord> logged = log.records();
      assertEquals(2, logged.size(), "created and rotated: both failures reported");
      assertTrue(logged.get(1).getMessage().contains(KeyEvent.KEY_ROTATED), logged.get(1).getMessage());
    }
  }

  @Test
  void failClosedGuard_countsAndThrows_andTheHostSeesTheLostEvent() throws Exception {
    List<String> fallback = new CopyOnWriteArrayList<>();
    boolean[] down = {false};
    KeyEventGuard guard = KeyEventGuard.builder(e -> {
      if (down[0]) {
        throw new IllegalStateException("audit down");
      }
    }).fallback((e, f) -> fallback.add(e.type())).failClosed(true).build();
    Keyrings keyrings = keyrings(guard, RotationPolicy.DEFAULT);
    Keyring k = keyrings.keyring("k");
    k.rotate();
    down[0] = true;
    KeyEventNotRecordedException e = assertThrows(KeyEventNotRecordedException.class, () -> keyrings.shred("k"));
    assertEquals(KeyEvent.SCOPE_SHREDDED, e.eventType());
    assertEquals(1, guard.failures());
    assertEquals(List.of(KeyEvent.SCOPE_SHREDDED), fallback);
  }

  @Test
  void keyEvent_refusesUnknownTypesAndForeignDetailKeys() {
    assertThrows(IllegalArgumentException.class, () -> new KeyEvent("crypto_whatever", "k", Instant.EPOCH, Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new KeyEvent(KeyEvent.KEY_ROTATED, "k", Instant.EPOCH, Map.of("previousVersion", "1")));
  }
}
