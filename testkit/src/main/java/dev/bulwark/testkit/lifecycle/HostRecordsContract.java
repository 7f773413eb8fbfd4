package dev.bulwark.testkit.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link HostRecords} must have: the small SPI a host implements for records
 * outside PostgreSQL. The suite checks the SPI's own semantics (find, due, a subject's records,
 * compare-and-set, batch delete) and then runs every {@link LifecycleStoreContract} behaviour
 * (restore is exact, purge never deletes a held or not-yet-due record, evidence for every purged
 * record) over the host's records, with Bulwark's own state kept by {@link LifecycleStore#inMemory}.
 *
 * <pre>{@code
 * class MyRecordsContractTest extends HostRecordsContract {
 *   private dev.bulwark.lifecycle.InMemoryHostRecords memory;   // a host passes its own records here
 *
 *   @Override protected HostRecords createRecords(FakeClock clock) {
 *     memory = HostRecords.inMemory(ITEM, ATTACHMENT);
 *     return memory;
 *   }
 *
 *   @Override protected void insert(RecordRef ref, Optional<String> subject, Optional<String> tenant) {
 *     memory.insert(ref, subject, tenant);
 *   }
 *
 *   @Override protected void anonymiseInHost(List<RecordState> records,
 *       Optional<java.sql.Connection> transaction) {
 *     // overwrite the personal fields of these records in the host's storage
 *   }
 *
 *   @Override protected String payload(RecordRef ref) {
 *     return "the record's personal field, as the host stores it";
 *   }
 * }
 * }</pre>
 */
public abstract class HostRecordsContract extends LifecycleStoreContract {

  /** The host's records under test, the ones {@link #store} works on. */
  protected HostRecords records;

  /** A new, empty object holding records of {@link #ITEM} and {@link #ATTACHMENT}. */
  protected abstract HostRecords createRecords(FakeClock clock) throws Exception;

  @Override
  protected final LifecycleStore createStore(FakeClock clock) throws Exception {
    records = createRecords(clock);
    return LifecycleStore.inMemory(records);
  }

  private RecordState state(RecordRef ref) {
    return records.find(ref).orElseThrow();
  }

  private static RecordState withDeadline(RecordState r, Instant eligibleAt, Instant purgeAfter) {
    return new RecordState(r.ref(), r.subject(), r.tenant(), Optional.of(eligibleAt), r.deletedAt(),
        Optional.of(purgeAfter), r.operation());
  }

  @Test
  public void hostRecords_nameTheContractsClasses() throws Exception {
    assertTrue(records.dataClasses().containsAll(List.of(ITEM, ATTACHMENT)));
  }

  @Test
  public void find_ofUnknownRecord_isEmpty() throws Exception {
    assertTrue(records.find(RecordRef.of(ITEM, "424242")).isEmpty());
  }

  @Test
  public void insertedRecord_isLiveWithoutDeadline_andKeepsSubjectAndTenant() throws Exception {
    RecordRef a = newRecord(ITEM, "s1", "t1");
    RecordState r = state(a);
    assertEquals(a, r.ref());
    assertEquals(Optional.of("s1"), r.subject());
    assertEquals(Optional.of("t1"), r.tenant());
    assertFalse(r.deleted());
    assertTrue(r.purgeAfter().isEmpty());
  }

  @Test
  public void replace_isACompareAndSet() throws Exception {
    RecordRef a = newRecord(ITEM, "s1", "t1");
    RecordState before = state(a);
    Instant now = clock.instant();
    RecordState next = withDeadline(before, now, now.plus(Duration.ofDays(1)));
    assertTrue(records.replace(before, next));
    assertEquals(next, state(a));
    // A stale expectation changes nothing.
    RecordState other = withDeadline(before, now, now.plus(Duration.ofDays(2)));
    assertFalse(records.replace(before, other));
    assertEquals(next, state(a));
    // Deleted and operation columns round-trip too.
    OperationId op = OperationId.random();
    RecordState deleted = new RecordState(a, next.subject(), next.tenant(), next.eligibleAt(), Optional.of(now),
        next.purgeAfter(), Optional.of(op));
    assertTrue(records.replace(next, deleted));
    assertEquals(deleted, state(a));
  }

  @Test
  public void due_isDeadlineOrdered_skipsRefusedRecords_andHonoursTheLimit() throws Exception {
    Instant now = clock.instant();
    RecordRef late = newRecord(ITEM, "s1", "t1");
    RecordRef early = newRecord(ITEM, "s2", "t1");
    RecordRef refused = newRecord(ITEM, "s3", "t1");
    RecordRef future = newRecord(ITEM, "s4", "t1");
    records.replace(state(late), withDeadline(state(late), now, now.minus(Duration.ofDays(1))));
    records.replace(state(early), withDeadline(state(early), now, now.minus(Duration.ofDays(3))));
    records.replace(state(refused), withDeadline(state(refused), now, now.minus(Duration.ofDays(5))));
    records.replace(state(future), withDeadline(state(future), now, now.plus(Duration.ofDays(1))));

    List<RecordState> due = records.due(ITEM, now, r -> !r.ref().equals(refused), 10);
    assertEquals(List.of(early, late), due.stream().map(RecordState::ref).toList());
    // A refused record does not use up the limit.
    assertEquals(List.of(early), records.due(ITEM, now, r -> !r.ref().equals(refused), 1).stream()
        .map(RecordState::ref).toList());
    // Exactly at the deadline is due.
    assertEquals(4, records.due(ITEM, now.plus(Duration.ofDays(1)), r -> true, 10).size());
  }

  @Test
  public void ofSubject_returnsOnlyTheSubjectsAcceptedRecords() throws Exception {
    RecordRef a = newRecord(ITEM, "s1", "t1");
    RecordRef b = newRecord(ITEM, "s1", "t2");
    newRecord(ITEM, "s2", "t1");
    assertEquals(List.of(a, b), records.ofSubject(ITEM, "s1", r -> true, 10).stream().map(RecordState::ref).toList());
    assertEquals(List.of(b), records.ofSubject(ITEM, "s1", r -> !r.ref().equals(a), 10).stream()
        .map(RecordState::ref).toList());
    assertEquals(1, records.ofSubject(ITEM, "s1", r -> true, 1).size());
    assertTrue(records.ofSubject(ITEM, "nobody", r -> true, 10).isEmpty());
  }

  @Test
  public void scheduled_listsLiveRecordsWithDeadline_pagedById() throws Exception {
    Instant now = clock.instant();
    RecordRef a = newRecord(ITEM, "s1", "t1");
    RecordRef b = newRecord(ITEM, "s2", "t1");
    RecordRef unscheduled = newRecord(ITEM, "s3", "t1");
    records.replace(state(a), withDeadline(state(a), now, now.plus(Duration.ofDays(9))));
    records.replace(state(b), withDeadline(state(b), now, now.plus(Duration.ofDays(9))));
    assertEquals(List.of(a, b), records.scheduled(ITEM, Optional.empty(), 10).stream().map(RecordState::ref).toList());
    assertEquals(List.of(b), records.scheduled(ITEM, Optional.of(a.id()), 10).stream().map(RecordState::ref).toList());
    assertFalse(records.scheduled(ITEM, Optional.empty(), 10).stream().anyMatch(r -> r.ref().equals(unscheduled)));
  }

  @Test
  public void delete_removesTheBatch_andSkipsRecordsAlreadyGone() throws Exception {
    RecordRef a = newRecord(ATTACHMENT, "s1", null);
    RecordRef b = newRecord(ATTACHMENT, "s1", null);
    RecordRef kept = newRecord(ATTACHMENT, "s1", null);
    records.delete(List.of(a));
    records.delete(List.of(a, b));
    assertTrue(records.find(a).isEmpty());
    assertTrue(records.find(b).isEmpty());
    assertTrue(records.find(kept).isPresent());
  }
}
