package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.StoredEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

  static final String ORIGIN = "example.com/audit/test";
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final ChainKey chainKey = ChainKey.generate();
  @TempDir Path tmp;

  AuditLog.Builder builder(dev.bulwark.audit.spi.AuditStore store) {
    return AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).chainKey(chainKey);
  }

  AuditVerifier verifier(DirectoryAnchor anchor) {
    AuditVerifier.Builder b = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(chainKey);
    if (anchor != null) {
      b.anchor(anchor);
    }
    return b.build();
  }

  @Test
  void appendedEvents_getGapFreeSequenceNumbers_andVerifyIntact() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    DirectoryAnchor anchor = new DirectoryAnchor(tmp.resolve("anchor"));
    try (AuditLog log = builder(store).anchor(anchor).build()) {
      for (int i = 0; i < 25; i++) {
        assertEquals(i, log.append(TestEvents.event(i)).seq());
      }
    }
    VerificationReport r = verifier(anchor).verify(store);
    assertTrue(r.fullyVerified(), r.summary());
    assertEquals(25, r.size());
    assertEquals(25, r.lastCheckpointSize());
  }

  @Test
  void unsignedUnanchoredLog_isNeverCalledFullyVerified() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).build()) {
      log.append(TestEvents.event(1));
    }
    VerificationReport r = AuditVerifier.builder(ORIGIN).build().verify(store);
    assertTrue(r.intact());
    assertFalse(r.fullyVerified());
    assertTrue(r.notChecked().stream().anyMatch(n -> n.contains("truncation")), r.summary());
    assertTrue(r.notChecked().stream().anyMatch(n -> n.contains("authenticity")), r.summary());
  }

  @Test
  void manyThreads_produceOneLinearChain() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    int threads = 16;
    int each = 300;
    Set<Long> seqs = Collections.synchronizedSet(new HashSet<>());
    try (AuditLog log = builder(store).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * each;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            seqs.add(log.append(TestEvents.event(base + i)).seq());
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
    }
    assertEquals(threads * each, seqs.size());
    assertEquals(threads * each - 1, Collections.max(seqs));
    VerificationReport r = verifier(null).verify(store);
    assertTrue(r.intact(), r.summary());
    assertEquals(threads * each, r.size());
  }

  @Test
  void checkpoints_comeEveryNEvents_everyTSeconds_andOnClose() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    AuditLog log = builder(store).checkpointEvery(10, Duration.ofSeconds(10)).build();
    int initial = store.checkpoints().size();
    for (int i = 0; i < 10; i++) {
      log.append(TestEvents.event(i));
    }
    log.awaitCheckpoints(); // count-triggered checkpoints are signed off the append path
    assertEquals(initial + 1, store.checkpoints().size());
    log.append(TestEvents.event(10));
    now.set(now.get().plusSeconds(11));
    log.tick();
    assertEquals(initial + 2, store.checkpoints().size());
    log.append(TestEvents.event(11));
    log.close();
    SignedCheckpoint last = SignedCheckpoint.parse(store.checkpoints().get(store.checkpoints().size() - 1));
    assertEquals(12, last.checkpoint().size());
    assertEquals(List.of(ORIGIN), last.verifiedBy(List.of(signer.publicKey())));
  }

  @Test
  void keyRotation_bothKeysSign_andEitherVerifies() throws Exception {
    CheckpointSigner next = CheckpointSigner.generate(ORIGIN + "/2027");
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = builder(store).signer(next).build()) {
      log.append(TestEvents.event(1));
    }
    SignedCheckpoint cp = SignedCheckpoint.parse(store.checkpoints().get(store.checkpoints().size() - 1));
    assertEquals(2, cp.signatures().size());
    assertTrue(AuditVerifier.builder(ORIGIN).trust(next.publicKey()).chainKey(chainKey).build().verify(store).intact());
    CheckpointSigner stranger = CheckpointSigner.generate(ORIGIN);
    VerificationReport r = AuditVerifier.builder(ORIGIN).trust(stranger.publicKey()).build().verify(store);
    assertTrue(r.has(FindingCode.BAD_CHECKPOINT_SIGNATURE), r.summary());
  }

  @Test
  void proofBundle_verifiesOffline_withThePublicKeyAlone() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    String text;
    String vkey = signer.publicKey().vkey();
    try (AuditLog log = builder(store).build()) {
      for (int i = 0; i < 37; i++) {
        log.append(TestEvents.event(i));
      }
      text = log.exportProof(23).text();
    }
    ProofBundle parsed = ProofBundle.parse(text);
    LoggedEvent e = parsed.verify(ORIGIN, List.of(CheckpointKey.parse(vkey)));
    assertEquals(23, e.seq());
    assertEquals(TestEvents.event(23), e.event());
    String tampered = text.replace("extra ", "extra A");
    assertThrows(AuditFormatException.class, () -> ProofBundle.parse(tampered).verify(ORIGIN, List.of(CheckpointKey.parse(vkey))));
    CheckpointKey other = CheckpointSigner.generate(ORIGIN).publicKey();
    assertThrows(AuditFormatException.class, () -> parsed.verify(ORIGIN, List.of(other)));
  }

  @Test
  void failingStore_failsAppendLoudly_andLeavesTheLogValid() {
    AtomicBoolean broken = new AtomicBoolean();
    InMemoryAuditStore inner = new InMemoryAuditStore();
    FailingStore store = new FailingStore(inner, broken);
    AuditLog log = builder(store).build();
    log.append(TestEvents.event(0));
    broken.set(true);
    AuditException e = assertThrows(AuditException.class, () -> log.append(TestEvents.event(1)));
    assertTrue(e.getMessage().contains("not logged"), e.getMessage());
    broken.set(false);
    assertEquals(1, log.append(TestEvents.event(2)).seq());
    log.close();
    VerificationReport r = verifier(null).verify(inner);
    assertTrue(r.intact(), r.summary());
    assertEquals(2, r.size());
  }

  @Test
  void queries_filterByTimeActorTenantActionAndCorrelation() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = builder(store).build()) {
      for (int i = 0; i < 40; i++) {
        log.append(TestEvents.event(i));
        now.set(now.get().plusSeconds(1));
      }
      assertEquals(List.of(0L, 7L, 14L, 21L, 28L, 35L),
          log.query(AuditQuery.ALL.actor("user-0")).map(LoggedEvent::seq).collect(Collectors.toList()));
      assertEquals(10, log.query(AuditQuery.ALL.correlation("corr-2")).count());
      assertEquals(8, log.query(AuditQuery.ALL.action(Action.AUTHN_LOGIN_FAIL)).count());
      assertEquals(14, log.query(AuditQuery.ALL.tenant("tenant-0")).count());
      Instant t0 = Instant.parse("2026-01-01T00:00:10Z");
      assertEquals(5, log.query(AuditQuery.ALL.between(t0, t0.plusSeconds(5))).count());
    }
  }

  @Test
  void retention_prunesOldSealedSegments_behindASignedReceipt_andTheRestVerifies() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    DirectoryAnchor anchor = new DirectoryAnchor(tmp.resolve("anchor"));
    AuditLog log = builder(store).anchor(anchor).segments(10, Duration.ofDays(1))
        .retention(new AuditRetentionPolicy("logs-30d", Duration.ofDays(30))).build();
    for (int i = 0; i < 35; i++) {
      log.append(TestEvents.event(i));
    }
    assertEquals(Optional.empty(), log.applyRetention());
    now.set(now.get().plus(Duration.ofDays(31)));
    log.setLegalHold(20, true, Actor.user("legal", "sso"), "case 42");
    PruneResult pr = log.applyRetention().orElseThrow();
    assertEquals(0, pr.fromSeq());
    assertEquals(20, pr.cutSeq());
    assertEquals(2, pr.segments());
    assertEquals(20, log.segments().get(0).firstSeq());
    ProofBundle later = log.exportProof(pr.receiptSeq());
    assertEquals(pr.receiptSeq(), later.verify(ORIGIN, List.of(signer.publicKey())).seq());
    log.append(TestEvents.event(99));
    log.close();
    VerificationReport r = verifier(anchor).verify(store);
    assertTrue(r.fullyVerified(), r.summary());
    assertTrue(r.has(FindingCode.PRUNED_WITH_RECEIPT), r.summary());
    // Reopening after the prune rebuilds the tree from the compact range.
    try (AuditLog again = builder(store).anchor(anchor).build()) {
      long seq = again.append(TestEvents.event(100)).seq();
      assertEquals(seq, again.exportProof(seq).verify(ORIGIN, List.of(signer.publicKey())).seq());
    }
    assertTrue(verifier(anchor).verify(store).fullyVerified());
  }

  @Test
  void anchorFailure_doesNotFailAppends_andShowsInHealth() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    AtomicBoolean down = new AtomicBoolean(true);
    MemoryAnchor good = new MemoryAnchor();
    dev.bulwark.audit.spi.CheckpointAnchor flaky = new dev.bulwark.audit.spi.CheckpointAnchor() {
      @Override
      public void submit(SignedCheckpoint checkpoint) {
        if (down.get()) {
          throw new AuditStoreException("SIEM unreachable");
        }
        good.submit(checkpoint);
      }

      @Override
      public Optional<String> latest(String origin) {
        return good.latest(origin);
      }
    };
    AuditLog log = builder(store).anchor(flaky).checkpointEvery(5, Duration.ofSeconds(10)).build();
    for (int i = 0; i < 7; i++) {
      log.append(TestEvents.event(i));
    }
    now.set(now.get().plusSeconds(3));
    log.awaitCheckpoints();
    AuditHealth h = log.health();
    assertEquals(7, h.unanchoredEvents());
    assertEquals(Duration.ofSeconds(3), h.unanchoredAge());
    assertTrue(h.lastAnchorError().orElseThrow().contains("SIEM unreachable"));
    down.set(false);
    log.checkpoint();
    assertEquals(0, log.health().unanchoredEvents());
    assertTrue(log.health().lastAnchorError().isEmpty());
    log.close();
  }

  @Test
  void headDeletion_withoutReceipt_isReported() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = builder(store).build()) {
      for (int i = 0; i < 10; i++) {
        log.append(TestEvents.event(i));
      }
    }
    store.tamper(l -> new ArrayList<>(l.subList(3, l.size())));
    VerificationReport r = verifier(null).verify(store);
    assertTrue(r.has(FindingCode.HEAD_PRUNED_WITHOUT_RECEIPT), r.summary());
  }

  /** Delegates to a store and throws on append while {@code broken} is set (full disk, lost DB). */
  static class FailingStore implements dev.bulwark.audit.spi.SegmentedAuditStore {
    private final dev.bulwark.audit.spi.SegmentedAuditStore inner;
    private final AtomicBoolean broken;

    FailingStore(dev.bulwark.audit.spi.SegmentedAuditStore inner, AtomicBoolean broken) {
      this.inner = inner;
      this.broken = broken;
    }

    @Override
    public dev.bulwark.audit.spi.StoreHead head() {
      return inner.head();
    }

    @Override
    public void append(List<StoredEvent> batch) {
      if (broken.get()) {
        throw new AuditStoreException("No space left on device");
      }
      inner.append(batch);
    }

    @Override
    public java.util.stream.Stream<StoredEvent> read(long fromSeq) {
      return inner.read(fromSeq);
    }

    @Override
    public void putCheckpoint(String note) {
      inner.putCheckpoint(note);
    }

    @Override
    public List<String> checkpoints() {
      return inner.checkpoints();
    }

    @Override
    public List<dev.bulwark.audit.spi.Segment> segments() {
      return inner.segments();
    }

    @Override
    public void seal(long nextSeq) {
      inner.seal(nextSeq);
    }

    @Override
    public void setLegalHold(long segmentFirstSeq, boolean held) {
      inner.setLegalHold(segmentFirstSeq, held);
    }

    @Override
    public void prune(dev.bulwark.audit.spi.PruneBase newBase) {
      inner.prune(newBase);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
