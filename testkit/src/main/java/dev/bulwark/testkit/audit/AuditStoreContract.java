package dev.bulwark.testkit.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditException;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.AuditStoreException;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.CanonicalEncoding;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.FindingCode;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.SignedCheckpoint;
import dev.bulwark.audit.Source;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.CheckpointAnchor;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.SequenceConflictException;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import dev.bulwark.testkit.StoreContract;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link AuditStore} must meet (in-memory, file, JDBC, and a host's own): the
 * core SPI (head, appends, reads, checkpoints), queries and the tamper corpus: each attack an adversary with write access to the store can run
 * must produce the right finding.
 *
 * <p>Implementations say how to make a fresh store and how an attacker rewrites its raw records
 * ({@link #rewriteEvents}) and checkpoints ({@link #rewriteCheckpoints}), bypassing every check.
 * A store that also keeps segments runs {@link SegmentedAuditStoreContract}, which adds sealing,
 * legal holds and retention to all of this.
 */
public abstract class AuditStoreContract extends StoreContract<AuditStore> {

  protected static final String ORIGIN = "contract.example/audit";
  private static final CheckpointSigner SIGNER = CheckpointSigner.generate(ORIGIN);
  private static final ChainKey KEY = ChainKey.generate();
  private final TestAnchor anchor = new TestAnchor();

  /** Replaces the stored events with {@code change(current)} without any check (an attacker). */
  protected abstract void rewriteEvents(UnaryOperator<List<StoredEvent>> change) throws Exception;

  /** Replaces the stored checkpoint notes without any check (an attacker). */
  protected abstract void rewriteCheckpoints(UnaryOperator<List<String>> change) throws Exception;

  /** The store as a verifier sees it after tampering (file stores reopen read-only). */
  protected AuditStore forVerification() throws Exception {
    return store;
  }

  /** A log builder over the store under test, anchored to the contract's anchor. */
  protected AuditLog.Builder log(boolean keyed, boolean signed) {
    AuditLog.Builder b = AuditLog.builder(ORIGIN, store).clock(clock).anchor(anchor);
    if (keyed) {
      b.chainKey(KEY);
    }
    if (signed) {
      b.signer(SIGNER);
    }
    return b;
  }

  /** Verifies {@link #forVerification()} with the contract's keys and anchor as asked. */
  protected VerificationReport verify(boolean keyed, boolean signed, boolean anchored) throws Exception {
    AuditVerifier.Builder v = AuditVerifier.builder(ORIGIN);
    if (keyed) {
      v.chainKey(KEY);
    }
    if (signed) {
      v.trust(SIGNER.publicKey());
    }
    if (anchored) {
      v.anchor(anchor);
    }
    AuditStore s = forVerification();
    try {
      return v.build().verify(s);
    } finally {
      if (s != store) {
        s.close();
      }
    }
  }

  protected static AuditEvent event(int i) {
    return AuditEvent.builder(i % 3 == 0 ? Action.AUTHN_LOGIN_FAIL : Action.SENSITIVE_READ, Actor.user("user-" + (i % 5), "password"))
        .tenant("tenant-" + (i % 2)).correlationId("req-" + (i / 4)).target("record", "r-" + i)
        .outcome(i % 3 == 0 ? Outcome.FAILURE : Outcome.SUCCESS).source(new Source("192.0.2.1", "ua", "node", "app"))
        .detail("n", Integer.toString(i)).build(() -> java.time.Instant.parse("2026-01-01T00:00:00Z"));
  }

  private void fill(int n, boolean keyed, boolean signed) {
    try (AuditLog l = log(keyed, signed).build()) {
      for (int i = 0; i < n; i++) {
        l.append(event(i));
      }
    }
  }

  /** Every stored record from the base on. */
  protected List<StoredEvent> readAll() {
    try (Stream<StoredEvent> s = store.read(store.head().base().firstSeq())) {
      return s.collect(Collectors.toList());
    }
  }

  // ---- SPI semantics ----

  @Test
  public void freshStore_isEmptyAtGenesis() {
    assertEquals(0, store.head().nextSeq());
    assertEquals(PruneBase.GENESIS, store.head().base());
    assertEquals(0, readAll().size());
    assertTrue(store.checkpoints().isEmpty());
  }

  @Test
  public void appendedRecords_readBackInOrder_byteForByte() {
    fill(30, true, true);
    List<StoredEvent> all = readAll();
    assertEquals(30, all.size());
    for (int i = 0; i < 30; i++) {
      assertEquals(i, all.get(i).seq());
      assertFalse(all.get(i).isDamaged());
      assertEquals(32, all.get(i).mac().length());
    }
    assertEquals(30, store.head().nextSeq());
    assertEquals(all.get(29).chainHash(), store.head().lastChainHash());
    assertEquals(10, readAllFrom(20).size());
  }

  private List<StoredEvent> readAllFrom(long from) {
    try (Stream<StoredEvent> s = store.read(from)) {
      return s.filter(e -> !e.isDamaged()).collect(Collectors.toList());
    }
  }

  @Test
  public void appendThatDoesNotContinueTheLog_isRejected_andStoresNothing() {
    fill(3, false, false);
    StoredEvent last = readAll().get(2);
    StoredEvent dup = StoredEvent.of(2, last.payload(), last.chainHash(), last.mac(), "x");
    assertThrows(SequenceConflictException.class, () -> store.append(List.of(dup)));
    StoredEvent gap = StoredEvent.of(5, last.payload(), last.chainHash(), last.mac(), "x");
    assertThrows(SequenceConflictException.class, () -> store.append(List.of(gap)));
    assertEquals(3, store.head().nextSeq());
    assertEquals(3, readAll().size());
  }

  @Test
  public void checkpoints_areKeptInOrder() throws Exception {
    fill(5, false, true);
    List<String> notes = store.checkpoints();
    assertFalse(notes.isEmpty());
    assertEquals(5, SignedCheckpoint.parse(notes.get(notes.size() - 1)).checkpoint().size());
  }

  @Test
  public void manyThreads_produceOneLinearChain() throws Exception {
    int threads = 8;
    int each = 60;
    try (AuditLog l = log(true, true).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * each;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            l.append(event(base + i));
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
    }
    VerificationReport r = verify(true, true, true);
    assertTrue(r.fullyVerified(), r.summary());
    assertEquals(threads * each, r.size());
  }

  @Test
  public void queries_findByActorTenantActionCorrelationAndTime() {
    try (AuditLog l = log(false, false).build()) {
      for (int i = 0; i < 20; i++) {
        l.append(event(i));
        clock.advance(Duration.ofSeconds(1));
      }
      assertEquals(List.of(0L, 5L, 10L, 15L), seqs(l, AuditQuery.ALL.actor("user-0")));
      assertEquals(10, seqs(l, AuditQuery.ALL.tenant("tenant-1")).size());
      assertEquals(7, seqs(l, AuditQuery.ALL.action(Action.AUTHN_LOGIN_FAIL)).size());
      assertEquals(4, seqs(l, AuditQuery.ALL.correlation("req-2")).size());
      java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:05Z");
      assertEquals(List.of(5L, 6L, 7L), seqs(l, AuditQuery.ALL.between(t, t.plusSeconds(3))));
      assertEquals(List.of(0L), seqs(l, AuditQuery.ALL.tenant("tenant-0").actor("user-0").action(Action.AUTHN_LOGIN_FAIL)));
    }
  }

  /** Stores that index times (JDBC) must keep them to the microsecond, also centuries from now. */
  @Test
  public void queries_byTime_areExactToTheMicrosecond() {
    java.time.Instant[] times = {java.time.Instant.parse("2026-03-01T10:00:00.123457Z"),
        java.time.Instant.parse("2401-07-04T23:59:59.999999Z"), java.time.Instant.parse("1969-12-31T23:59:59.000001Z")};
    try (AuditLog l = log(false, false).build()) {
      for (java.time.Instant t : times) {
        clock.set(t);
        l.append(event(1));
      }
      for (int i = 0; i < times.length; i++) {
        java.time.Instant t = times[i];
        assertEquals(List.of((long) i), seqs(l, AuditQuery.ALL.between(t, t.plusNanos(1000))), t.toString());
        assertEquals(List.of(), seqs(l, AuditQuery.ALL.between(t.plusNanos(1000), t.plusNanos(2000))), t.toString());
        assertEquals(List.of(), seqs(l, AuditQuery.ALL.between(t.minusNanos(1000), t)), t.toString());
      }
    }
  }

  /** Query results are streams over store resources (cursors, files): always close them. */
  private static List<Long> seqs(AuditLog l, AuditQuery q) {
    try (Stream<LoggedEvent> s = l.query(q)) {
      return s.map(LoggedEvent::seq).collect(Collectors.toList());
    }
  }

  // ---- tamper corpus ----

  @Test
  public void tamper_flipAByte_isModified() throws Exception {
    fill(12, true, true);
    rewriteEvents(l -> {
      List<StoredEvent> out = new ArrayList<>(l);
      StoredEvent e = l.get(6);
      byte[] p = e.payload().toByteArray();
      p[p.length - 3] ^= 1;
      out.set(6, StoredEvent.of(e.seq(), Bytes.of(p), e.chainHash(), e.mac(), e.location()));
      return out;
    });
    VerificationReport r = verify(true, true, true);
    assertEquals(List.of("MODIFIED@6"), errors(r), "one changed event is one finding: " + r.summary());
  }

  /** The ERROR findings as {@code CODE@seq}: one problem must give one finding, not a cascade. */
  private static List<String> errors(VerificationReport r) {
    return r.findings().stream().filter(f -> f.code().level() == dev.bulwark.audit.FindingCode.Level.ERROR)
        .map(f -> f.code() + "@" + f.seq()).collect(Collectors.toList());
  }

  @Test
  public void tamper_deleteHead_isHeadPrunedWithoutReceipt() throws Exception {
    fill(12, true, true);
    rewriteEvents(l -> new ArrayList<>(l.subList(2, l.size())));
    assertTrue(verify(true, true, true).has(FindingCode.HEAD_PRUNED_WITHOUT_RECEIPT));
  }

  @Test
  public void tamper_deleteMiddle_isSequenceGap() throws Exception {
    fill(12, true, true);
    rewriteEvents(l -> {
      List<StoredEvent> out = new ArrayList<>(l);
      out.remove(5);
      return out;
    });
    VerificationReport r = verify(true, true, true);
    assertEquals(List.of("SEQUENCE_GAP@5"), errors(r), "one deleted event is one finding: " + r.summary());
  }

  @Test
  public void tamper_deleteTail_isTruncated() throws Exception {
    fill(12, true, true);
    rewriteEvents(l -> new ArrayList<>(l.subList(0, 9)));
    VerificationReport r = verify(true, true, true);
    assertTrue(r.has(FindingCode.TRUNCATED), r.summary());
  }

  @Test
  public void tamper_swapTwoEvents_isReordered() throws Exception {
    fill(12, true, true);
    rewriteEvents(l -> {
      List<StoredEvent> out = new ArrayList<>(l);
      out.set(3, l.get(7));
      out.set(7, l.get(3));
      return out;
    });
    VerificationReport r = verify(true, true, true);
    assertFalse(r.intact(), r.summary());
    // Stores that keep records in stored order see two moved events (REORDERED); stores keyed
    // by sequence number see two rows holding each other's event (MODIFIED). Either way: two.
    List<String> errors = errors(r);
    assertEquals(2, errors.size(), r.summary());
    assertTrue(errors.stream().allMatch(e -> e.matches("(REORDERED|MODIFIED)@[37]")) && errors.stream().anyMatch(e -> e.endsWith("@3"))
        && errors.stream().anyMatch(e -> e.endsWith("@7")), r.summary());
  }

  @Test
  public void tamper_forgedEventWithRecomputedPlainChain_isCaughtWhenKeyed() throws Exception {
    fill(12, true, false);
    rewriteEvents(l -> forge(l, 4));
    VerificationReport keyed = verify(true, false, false);
    assertTrue(keyed.has(FindingCode.MODIFIED), keyed.summary());
    VerificationReport plain = verify(false, false, false);
    assertTrue(plain.intact(), "a plain chain cannot tell: " + plain.summary());
    assertFalse(plain.fullyVerified());
  }

  @Test
  public void tamper_forgedEventWithRecomputedPlainChain_isCaughtWhenSigned() throws Exception {
    fill(12, false, true);
    rewriteEvents(l -> forge(l, 4));
    VerificationReport signed = verify(false, true, false);
    assertTrue(signed.has(FindingCode.MODIFIED), signed.summary());
  }

  @Test
  public void tamper_forgedHistoryWithDeletedCheckpoints_isReported_andNeverSignedOnRestart() throws Exception {
    fill(12, false, true);
    rewriteEvents(l -> forge(l, 4));
    rewriteCheckpoints(l -> List.of());
    VerificationReport r = verify(false, true, false);
    assertTrue(r.has(FindingCode.CHECKPOINTS_MISSING), r.summary());
    assertFalse(r.intact(), r.summary());
    // A restarted writer refuses to sign (UnsealedHistoryException; a store whose files changed
    // under it may already refuse to read them, with AuditStoreException): either way nothing is signed.
    RuntimeException refused = assertThrows(RuntimeException.class, () -> log(false, true).build());
    assertTrue(refused instanceof AuditException || refused instanceof AuditStoreException, refused.toString());
    assertTrue(verify(false, true, false).has(FindingCode.CHECKPOINTS_MISSING), "refusing signed nothing");
  }

  @Test
  public void tamper_rollbackToAnOlderCopy_isCaughtWithAnAnchoredCheckpoint() throws Exception {
    fill(8, true, true);
    List<StoredEvent> old = readAll();
    List<String> oldNotes = store.checkpoints();
    try (AuditLog l = log(true, true).build()) {
      for (int i = 8; i < 16; i++) {
        l.append(event(i));
      }
    }
    rewriteEvents(l -> old);
    rewriteCheckpoints(l -> oldNotes);
    VerificationReport r = verify(true, true, true);
    assertTrue(r.has(FindingCode.ROLLBACK), r.summary());
  }

  @Test
  public void tamper_badCheckpointSignature_isReported() throws Exception {
    fill(4, false, true);
    rewriteCheckpoints(l -> {
      List<String> out = new ArrayList<>(l);
      String last = out.get(out.size() - 1);
      int sig = last.lastIndexOf(' ') + 8;
      char c = last.charAt(sig);
      out.set(out.size() - 1, last.substring(0, sig) + (c == 'A' ? 'B' : 'A') + last.substring(sig + 1));
      return out;
    });
    VerificationReport r = verify(false, true, false);
    assertTrue(r.has(FindingCode.BAD_CHECKPOINT_SIGNATURE), r.summary());
  }

  /** Replaces event {@code index} with a forged one and recomputes the plain chain after it. */
  protected static List<StoredEvent> forge(List<StoredEvent> in, int index) {
    List<StoredEvent> out = new ArrayList<>(in.subList(0, index));
    byte[] prev = index == 0 ? new byte[32] : in.get(index - 1).chainHash().toByteArray();
    for (int i = index; i < in.size(); i++) {
      StoredEvent e = in.get(i);
      Bytes payload = e.payload();
      if (i == index) {
        try {
          LoggedEvent le = CanonicalEncoding.decode(payload);
          AuditEvent forged = AuditEvent.builder(Action.AUTHZ_ADMIN, Actor.user("mallory", "none"))
              .eventId(le.event().eventId()).occurredAt(le.event().occurredAt()).build(() -> le.recordedAt());
          payload = CanonicalEncoding.encode(new LoggedEvent(le.seq(), le.recordedAt(), forged));
        } catch (dev.bulwark.audit.AuditFormatException ex) {
          throw new IllegalStateException(ex);
        }
      }
      byte[] chain = chain(e.seq(), prev, payload.toByteArray());
      out.add(StoredEvent.of(e.seq(), payload, Bytes.of(chain), e.mac(), e.location()));
      prev = chain;
    }
    return out;
  }

  /** The documented plain chain: SHA-256("bulwark-audit-chain-v1\0" || u16 len || origin || u64 seq || prev || leaf). */
  private static byte[] chain(long seq, byte[] prev, byte[] payload) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((byte) 0);
      byte[] leaf = md.digest(payload);
      byte[] origin = ORIGIN.getBytes(StandardCharsets.UTF_8);
      md.update("bulwark-audit-chain-v1\0".getBytes(StandardCharsets.US_ASCII));
      md.update((byte) (origin.length >>> 8));
      md.update((byte) origin.length);
      md.update(origin);
      for (int s = 56; s >= 0; s -= 8) {
        md.update((byte) (seq >>> s));
      }
      md.update(prev);
      return md.digest(leaf);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An anchor kept by the test (out of the store's reach). */
  static final class TestAnchor implements CheckpointAnchor {
    private final List<SignedCheckpoint> notes = new ArrayList<>();

    @Override
    public synchronized void submit(SignedCheckpoint checkpoint) {
      notes.add(checkpoint);
    }

    @Override
    public synchronized Optional<String> latest(String origin) {
      return notes.stream().filter(n -> n.checkpoint().origin().equals(origin))
          .reduce((a, b) -> b.checkpoint().size() >= a.checkpoint().size() ? b : a).map(SignedCheckpoint::note);
    }
  }
}
