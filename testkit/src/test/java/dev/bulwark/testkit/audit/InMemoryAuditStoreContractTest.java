package dev.bulwark.testkit.audit;

import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.audit.spi.SegmentedAuditStore;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.testing.FakeClock;
import java.util.List;
import java.util.function.UnaryOperator;

class InMemoryAuditStoreContractTest extends SegmentedAuditStoreContract {

  @Override
  protected SegmentedAuditStore createSegmentedStore(FakeClock clock) {
    return new InMemoryAuditStore();
  }

  @Override
  protected void rewriteEvents(UnaryOperator<List<StoredEvent>> change) {
    ((InMemoryAuditStore) store).tamper(change);
  }

  @Override
  protected void rewriteCheckpoints(UnaryOperator<List<String>> change) {
    ((InMemoryAuditStore) store).tamperCheckpoints(change);
  }
}
