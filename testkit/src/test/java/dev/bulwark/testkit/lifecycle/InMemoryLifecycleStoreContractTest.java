package dev.bulwark.testkit.lifecycle;

import dev.bulwark.lifecycle.InMemoryLifecycleStore;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.spi.LifecycleStore;
import dev.bulwark.testing.FakeClock;
import java.util.Optional;

class InMemoryLifecycleStoreContractTest extends LifecycleStoreContract {

  private InMemoryLifecycleStore memory;

  @Override
  protected LifecycleStore createStore(FakeClock clock) {
    memory = InMemoryLifecycleStore.of(ITEM, ATTACHMENT);
    return memory;
  }

  @Override
  protected void insert(RecordRef ref, Optional<String> subject, Optional<String> tenant) {
    memory.insert(ref, subject, tenant);
  }
}
