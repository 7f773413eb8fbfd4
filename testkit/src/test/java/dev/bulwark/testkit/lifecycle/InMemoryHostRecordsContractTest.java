package dev.bulwark.testkit.lifecycle;

import dev.bulwark.lifecycle.InMemoryHostRecords;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.testing.FakeClock;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory host records, with Bulwark's in-memory state over them. */
class InMemoryHostRecordsContractTest extends HostRecordsContract {

  private InMemoryHostRecords memory;

  @Override
  protected HostRecords createRecords(FakeClock clock) {
    memory = HostRecords.inMemory(ITEM, ATTACHMENT);
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
