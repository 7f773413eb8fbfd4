package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * On a log long enough to be checked in several parallel chunks (2,600 events, checkpoints every
 * 100), every single mutation at any position, chunk boundaries included, gives exactly the
 * findings of that one problem, and nothing else.
 */
class VerifierProperties {

  static final String ORIGIN = "example.com/audit/verifier-props";
  static final int N = 2600;
  static final CheckpointSigner SIGNER = CheckpointSigner.generate(ORIGIN);
  static final ChainKey KEY = ChainKey.generate();
  static final List<StoredEvent> EVENTS;
  static final List<String> CHECKPOINTS;

  static {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).clock(() -> Instant.parse("2026-01-01T00:00:00Z"))
        .signer(SIGNER).chainKey(KEY).checkpointEvery(100, Duration.ofHours(1)).build()) {
      List<AuditEvent> batch = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        batch.add(TestEvents.event(i));
      }
      log.appendAll(batch);
      for (int i = 0; i < 10; i++) {
        log.checkpoint();
      }
    }
    try (Stream<StoredEvent> s = store.read(0)) {
      EVENTS = s.collect(Collectors.toList());
    }
    CHECKPOINTS = store.checkpoints();
  }

  static VerificationReport verify(UnaryOperator<List<StoredEvent>> change) {
    InMemoryAuditStore store = new InMemoryAuditStore();
    store.tamper(l -> change.apply(new ArrayList<>(EVENTS)));
    store.tamperCheckpoints(l -> new ArrayList<>(CHECKPOINTS));
    return AuditVerifier.builder(ORIGIN).trust(SIGNER.publicKey()).chainKey(KEY).build().verify(store);
  }

  static List<String> errors(VerificationReport r) {
    return r.findings().stream().filter(f -> f.code().level() == FindingCode.Level.ERROR)
        .map(f -> f.code() + "@" + f.seq()).collect(Collectors.toList());
  }

  /** Positions near the verifier's chunk boundaries (multiples of 256 records), the ends, and anywhere. */
  static int position(int pick) {
    int[] special = {0, 1, 255, 256, 257, 1022, 1023, 1024, 1025, 2047, 2048, 2049, N - 2, N - 1};
    return pick < special.length ? special[pick] : pick % N;
  }

  @Test
  void intactLog_isFullyCheckedInChunks() {
    PropertyRunner.forAll(60, c -> {
      VerificationReport r = verify(l -> l);
      assertTrue(r.intact(), r.summary());
      assertEquals(List.of(), r.findings(), r.summary());
      assertEquals(N, r.eventsChecked());
    });
  }

  @Test
  void oneFlip_isOneModifiedFinding() {
    PropertyRunner.forAll(150, c -> {
      int pick = c.draw("pick", Generators.ints(0, 5000));
      int field = c.draw("field", Generators.ints(0, 2));
      int bit = c.draw("bit", Generators.ints(0, 2000));
      int i = position(pick);
      VerificationReport r = verify(l -> Tamper.flip(l, i, field, bit));
      assertEquals(List.of("MODIFIED@" + i), errors(r), r.summary());
    });
  }

  @Test
  void oneDeletion_isOneFinding() {
    PropertyRunner.forAll(100, c -> {
      int pick = c.draw("pick", Generators.ints(0, 5000));
      int i = position(pick);
      VerificationReport r = verify(l -> Tamper.delete(l, i));
      String expected = i == 0 ? "HEAD_PRUNED_WITHOUT_RECEIPT@0" : i == N - 1 ? "TRUNCATED@" + (N - 1) : "SEQUENCE_GAP@" + i;
      assertEquals(List.of(expected), errors(r), r.summary());
    });
  }

  @Test
  void oneSwap_isTheSwappedEventsOnly() {
    PropertyRunner.forAll(100, c -> {
      int pick = c.draw("pick", Generators.ints(0, 5000));
      int distance = c.draw("distance", Generators.ints(1, 3000));
      int i = position(pick);
      int j = Math.min(N - 1, i + distance);
      if (i == j) {
        return;
      }
      VerificationReport r = verify(l -> Tamper.swap(l, i, j));
      List<String> errors = errors(r);
      assertFalse(errors.isEmpty(), r.summary());
      assertTrue(errors.stream().allMatch(e -> e.equals("REORDERED@" + i) || e.equals("REORDERED@" + j)), r.summary());
      assertEquals(j - i == 1 ? 1 : 2, errors.size(), r.summary());
    });
  }
}
