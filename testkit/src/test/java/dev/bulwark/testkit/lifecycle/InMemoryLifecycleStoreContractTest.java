package dev.bulwark.testkit.lifecycle;

import dev.bulwark.lifecycle.InMemoryLifecycleStore;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.spi.LifecycleStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.lifecycle.spi.RecordState;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

class InMemoryLifecycleStoreContractTest extends LifecycleStoreContract {

  private InMemoryLifecycleStore memory;

  @Override
  protected LifecycleStore createStore(FakeClock clock) {
    memory = InMemoryLifecycleStore.of(ITEM, ATTACHMENT);
    return memory;
  }

  private final Map<RecordRef, String> payloads = new ConcurrentHashMap<>();

  @Override
  protected void insert(RecordRef ref, Optional<String> subject, Optional<String> tenant) {
    memory.insert(ref, subject, tenant);
    payloads.put(ref, "x");
  }

  @Override
  protected void anonymiseInHost(List<RecordState> records, Optional<Connection> transaction) {
    for (RecordState r : records) {
      payloads.put(r.ref(), "anonymised");
    }
  }

  @Override
  protected String payload(RecordRef ref) {
    return payloads.get(ref);
  }
}
