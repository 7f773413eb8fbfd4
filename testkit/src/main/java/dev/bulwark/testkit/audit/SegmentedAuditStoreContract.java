package dev.bulwark.testkit.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditRetentionPolicy;
import dev.bulwark.audit.AuditStoreException;
import dev.bulwark.audit.FindingCode;
import dev.bulwark.audit.PruneResult;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.SegmentedAuditStore;
import dev.bulwark.common.Bytes;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The contract of a {@link SegmentedAuditStore}: everything {@link AuditStoreContract} asks of
 * any store, plus sealing, legal holds and pruning a sealed, unheld prefix behind retention's
 * receipt. Implementations say how to make a fresh segmented store ({@link #createSegmentedStore})
 * and how an attacker rewrites it.
 */
public abstract class SegmentedAuditStoreContract extends AuditStoreContract {

  /** Returns a new, empty segmented store that reads time from {@code clock}. */
  protected abstract SegmentedAuditStore createSegmentedStore(FakeClock clock) throws Exception;

  @Override
  protected final AuditStore createStore(FakeClock clock) throws Exception {
    return createSegmentedStore(clock);
  }

  /** The store under test, as the segmented store it is. */
  protected SegmentedAuditStore segmented() {
    return (SegmentedAuditStore) store;
  }

  @Test
  public void segments_sealHoldAndPrune_removeOnlyASealedUnheldPrefix() {
    AuditLog l = log(true, true).segments(5, Duration.ofDays(1)).build();
    for (int i = 0; i < 17; i++) {
      l.append(event(i));
    }
    List<Segment> segs = segmented().segments();
    assertEquals(4, segs.size());
    assertTrue(segs.get(0).sealed());
    assertFalse(segs.get(3).sealed());
    assertEquals(5, segs.get(1).firstSeq());
    PruneBase notBoundary = new PruneBase(3, Bytes.of(new byte[32]), List.of(Bytes.of(new byte[32]), Bytes.of(new byte[32])));
    assertThrows(AuditStoreException.class, () -> segmented().prune(notBoundary));
    segmented().setLegalHold(5, true);
    assertTrue(segmented().segments().get(1).legalHold());
    PruneBase pastHold = new PruneBase(10, Bytes.of(new byte[32]), List.of(Bytes.of(new byte[32]), Bytes.of(new byte[32])));
    assertThrows(AuditStoreException.class, () -> segmented().prune(pastHold));
    assertEquals(0, readAll().get(0).seq(), "a refused prune removes nothing");
    clock.advance(Duration.ofDays(91));
    PruneResult pr = l.applyRetention().orElseThrow();
    assertEquals(5, pr.cutSeq(), "retention stops at the first held segment");
    assertEquals(5, store.head().base().firstSeq());
    assertEquals(5, readAll().get(0).seq());
    l.close();
  }

  @Test
  public void retention_defaultsTo90Days_andTheRestStillVerifies() throws Exception {
    AuditLog l = log(true, true).segments(4, Duration.ofDays(1)).build();
    for (int i = 0; i < 10; i++) {
      l.append(event(i));
    }
    clock.advance(Duration.ofDays(89));
    assertEquals(Optional.empty(), l.applyRetention());
    clock.advance(Duration.ofDays(2));
    assertEquals(8, l.applyRetention().orElseThrow().cutSeq());
    l.append(event(99));
    l.close();
    VerificationReport r = verify(true, true, true);
    assertTrue(r.fullyVerified(), r.summary());
    assertTrue(r.has(FindingCode.PRUNED_WITH_RECEIPT));
    assertEquals(AuditRetentionPolicy.DEFAULT.maxAge(), Duration.ofDays(90));
  }
}
