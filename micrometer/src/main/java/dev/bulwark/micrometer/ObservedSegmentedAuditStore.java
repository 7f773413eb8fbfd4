package dev.bulwark.micrometer;

import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.SegmentedAuditStore;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;

/** {@link ObservedAuditStore} over a store that keeps segments: seal, hold and prune delegate too. */
final class ObservedSegmentedAuditStore extends ObservedAuditStore implements SegmentedAuditStore {

  private final SegmentedAuditStore segmented;

  ObservedSegmentedAuditStore(SegmentedAuditStore delegate, ObservationRegistry registry) {
    super(delegate, registry);
    this.segmented = delegate;
  }

  @Override
  public List<Segment> segments() {
    return segmented.segments();
  }

  @Override
  public void seal(long nextSeq) {
    segmented.seal(nextSeq);
  }

  @Override
  public void setLegalHold(long segmentFirstSeq, boolean held) {
    segmented.setLegalHold(segmentFirstSeq, held);
  }

  @Override
  public void prune(PruneBase newBase) {
    segmented.prune(newBase);
  }
}
