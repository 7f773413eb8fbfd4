package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

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

  @Property(tries = 100)
  void everySingleMutation_isDetected(@ForAll @IntRange(min = 2, max = 30) int n, @ForAll @IntRange(min = 0, max = 5) int kind,
      @ForAll @IntRange(min = 0, max = 1000) int a, @ForAll @IntRange(min = 0, max = 1000) int b,
      @ForAll @IntRange(min = 0, max = 4000) int bit) throws Exception {
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
  }

  @Example
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

  @Example
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

  @Property(tries = 20)
  void pruningNeverBreaksVerificationOfWhatRemains(@ForAll @IntRange(min = 4, max = 12) int segmentSize,
      @ForAll @IntRange(min = 1, max = 40) int n, @ForAll @IntRange(min = 0, max = 10) int hold,
      @ForAll @IntRange(min = 1, max = 3) int rounds) throws Exception {
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
  }
}
