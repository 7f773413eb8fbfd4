package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Every single mutation of a keyed, signed, anchored log is detected; retention never breaks what remains. */
class TamperProperties {

  static final String ORIGIN = "example.com/audit/prop";
  static final CheckpointSigner SIGNER = CheckpointSigner.generate(ORIGIN);
  static final ChainKey KEY = ChainKey.generate();

  static final class Fixture {
    final InMemoryAuditStore store = new InMemoryAuditStore();
    final MemoryAnchor anchor = new MemoryAnchor();
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

    Fixture() {}

    AuditLog.Builder builder(boolean keyed, boolean signed) {
      AuditLog.Builder b = AuditLog.builder(ORIGIN, store).clock(now::get).anchor(anchor);
      if (signed) {
        b.signer(SIGNER);
      }
      if (keyed) {
        b.chainKey(KEY);
      }
      return b;
    }

    VerificationReport verify(boolean keyed, boolean signed) {
      AuditVerifier.Builder v = AuditVerifier.builder(ORIGIN).anchor(anchor);
      if (signed) {
        v.trust(SIGNER.publicKey());
      }
      if (keyed) {
        v.chainKey(KEY);
      }
      return v.build().verify(store);
    }
  }

  static Fixture log(int n, boolean keyed, boolean signed) throws Exception {
    Fixture f = new Fixture();
    try (AuditLog log = f.builder(keyed, signed).build()) {
      for (int i = 0; i < n; i++) {
        log.append(TestEvents.event(i));
      }
    }
    return f;
  }

  @Test
  void everySingleMutation_isDetected() {
    PropertyRunner.forAll(100, c -> {
      int n = c.draw("n", Generators.ints(2, 30));
      int kind = c.draw("kind", Generators.ints(0, 5));
      int a = c.draw("a", Generators.ints(0, 1000));
      int b = c.draw("b", Generators.ints(0, 1000));
      int bit = c.draw("bit", Generators.ints(0, 4000));
      Fixture f = log(n, true, true);
      int i = a % n;
      int j = b % n;
      UnaryOperator<List<StoredEvent>> change;
      switch (kind) {
        case 0:
          change = l -> Tamper.flip(l, i, bit % 3, bit);
          break;
        case 1:
          change = l -> Tamper.delete(l, i);
          break;
        case 2:
          int k = i == j ? (i + 1) % n : j;
          change = l -> Tamper.swap(l, i, k);
          break;
        case 3:
          change = l -> Tamper.forge(l, i, ORIGIN);
          break;
        case 4:
          change = l -> new ArrayList<>(l.subList(0, i));
          break;
        default:
          change = l -> {
            List<StoredEvent> out = new ArrayList<>(l);
            out.add(j % out.size(), Tamper.forge(l, i, ORIGIN).get(i));
            return out;
          };
          break;
      }
      f.store.tamper(change);
      VerificationReport r = f.verify(true, true);
      assertFalse(r.intact(), "kind " + kind + " i=" + i + " j=" + j + "\n" + r.summary());
    });
  }

  @Test
  void forgedEventWithRecomputedPlainChain_isCaughtWhenKeyedOrSigned_andOtherwiseOnlyUncheckable() throws Exception {
    for (boolean[] mode : new boolean[][] {{true, false}, {false, true}, {false, false}}) {
      Fixture f = log(12, mode[0], mode[1]);
      f.store.tamper(l -> Tamper.forge(l, 5, ORIGIN));
      VerificationReport r = f.verify(mode[0], mode[1]);
      if (mode[0] || mode[1]) {
        assertTrue(r.has(FindingCode.MODIFIED), r.summary());
      } else {
        assertFalse(r.fullyVerified(), r.summary());
        assertTrue(r.notChecked().stream().anyMatch(s -> s.contains("authenticity")), r.summary());
      }
    }
  }

  @Test
  void rollbackToAnOlderCopy_isCaughtWithAnAnchoredCheckpoint() throws Exception {
    Fixture f = log(10, true, true);
    List<StoredEvent> old = new ArrayList<>();
    f.store.tamper(l -> {
      old.addAll(l);
      return l;
    });
    List<String> oldCps = new ArrayList<>(f.store.checkpoints());
    try (AuditLog log = f.builder(true, true).build()) {
      for (int i = 10; i < 20; i++) {
        log.append(TestEvents.event(i));
      }
    }
    f.store.tamper(l -> old);
    f.store.tamperCheckpoints(l -> oldCps);
    VerificationReport r = f.verify(true, true);
    assertTrue(r.has(FindingCode.ROLLBACK), r.summary());
    VerificationReport unanchored = AuditVerifier.builder(ORIGIN).trust(SIGNER.publicKey()).chainKey(KEY).build().verify(f.store);
    assertTrue(unanchored.intact(), "without an anchor a rollback is invisible");
    assertTrue(unanchored.notChecked().stream().anyMatch(s -> s.contains("rollback")), unanchored.summary());
  }

  @Test
  void pruningNeverBreaksVerificationOfWhatRemains() {
    PropertyRunner.forAll(20, c -> {
      int segmentSize = c.draw("segmentSize", Generators.ints(4, 12));
      int n = c.draw("n", Generators.ints(1, 40));
      int hold = c.draw("hold", Generators.ints(0, 10));
      int rounds = c.draw("rounds", Generators.ints(1, 3));
      Fixture f = new Fixture();
      AuditLog log = f.builder(true, true).segments(segmentSize, Duration.ofDays(365)).build();
      int appended = 0;
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
          log.append(TestEvents.event(appended++));
        }
        if (r == 0 && hold > 0 && log.segments().size() > hold) {
          log.setLegalHold(log.segments().get(hold).firstSeq(), true, Actor.user("legal", "sso"), "hold");
        }
        f.now.set(f.now.get().plus(Duration.ofDays(100)));
        Optional<PruneResult> pr = log.applyRetention();
        VerificationReport rep = f.verify(true, true);
        assertTrue(rep.intact(), rep.summary());
        pr.ifPresent(p -> assertTrue(rep.has(FindingCode.PRUNED_WITH_RECEIPT), rep.summary()));
        long first = log.segments().get(0).firstSeq();
        long size = log.size();
        for (long s = first; s < size; s += Math.max(1, (size - first) / 5)) {
          assertTrue(log.exportProof(s).verify(List.of(SIGNER.publicKey())).seq() == s);
        }
      }
      log.close();
      assertTrue(f.verify(true, true).fullyVerified());
    });
  }
}
