package dev.bulwark.testkit.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleEvent;
import dev.bulwark.lifecycle.PurgeReport;
import dev.bulwark.lifecycle.PurgeRunner;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two purger "nodes" on one host table, and a hold placed while a purge runs. */
class JdbcConcurrentPurgeIT {

  private static final DataClass EVENTS = DataClass.of("event");
  private static final int ROWS = 20_000;

  private PostgresSchema db;
  private FakeClock clock;

  @BeforeEach
  void setUp() throws SQLException {
    db = PostgresSchema.create("lifecycle");
    clock = FakeClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE events (id bigint PRIMARY KEY, subject text, deleted_at timestamptz,"
          + " purge_after timestamptz, payload text)");
      s.execute("CREATE INDEX events_purge ON events (purge_after) WHERE purge_after IS NOT NULL");
      // Every 10th row belongs to subject 'held'; all rows are due an hour ago.
      s.execute("INSERT INTO events SELECT g, CASE WHEN g % 10 = 0 THEN 'held' ELSE 'u' || g END, now() - interval '31 days',"
          + " now() - interval '1 hour', 'payload' FROM generate_series(1, " + ROWS + ") g");
    }
    JdbcLifecycleStore.createSchema(db.dataSource());
  }

  @AfterEach
  void tearDown() throws SQLException {
    db.close();
  }

  private Lifecycle node(DataSource ds, List<LifecycleEvent> events) {
    JdbcLifecycleStore store = JdbcLifecycleStore.create(ds,
        TableMapping.of(EVENTS, "events").withSubject("subject"));
    return Lifecycle.builder(store)
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(EVENTS, Period.ofDays(30))))
        .clock(clock).batchSize(100).listener(e -> {
          if (events != null) {
            events.add(e);
          }
        }).build();
  }

  private PurgeRunner.Confirmation confirm() {
    return new PurgeRunner.Confirmation(Attribution.of("operator", "IT"), ROWS);
  }

  private long count(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void twoPurgers_atOnce_deleteEveryDueRowExactlyOnce() throws Exception {
    Lifecycle a = node(db.dataSource(), null);
    Lifecycle b = node(db.dataSource(), null);
    CountDownLatch start = new CountDownLatch(1);
    CompletableFuture<PurgeReport> ra = CompletableFuture.supplyAsync(() -> {
      await(start);
      return purgeConfirmed(a);
    });
    CompletableFuture<PurgeReport> rb = CompletableFuture.supplyAsync(() -> {
      await(start);
      return purgeConfirmed(b);
    });
    start.countDown();
    PurgeReport pa = ra.get(5, TimeUnit.MINUTES);
    PurgeReport pb = rb.get(5, TimeUnit.MINUTES);

    assertEquals(0, count("SELECT count(*) FROM events"));
    assertEquals(ROWS, pa.total() + pb.total(), "no row counted twice");
    assertTrue(pa.total() > 0 && pb.total() > 0, "both nodes did work: " + pa.total() + "/" + pb.total());
    String hashes = " FROM bulwark_lifecycle_evidence e, generate_series(0, length(e.record_hashes) / 32 - 1) i";
    assertEquals(ROWS, count("SELECT count(*)" + hashes));
    assertEquals(ROWS, count("SELECT count(DISTINCT substring(e.record_hashes from i * 32 + 1 for 32))" + hashes));
  }

  @Test
  void holdPlacedMidPurge_protectsEveryRowStillPresent() throws Exception {
    CountDownLatch firstBatch = new CountDownLatch(1);
    CountDownLatch holdPlaced = new CountDownLatch(1);
    List<LifecycleEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    Lifecycle purger = node(db.dataSource(), new java.util.AbstractList<LifecycleEvent>() {
      @Override
      public boolean add(LifecycleEvent e) {
        events.add(e);
        if (e.type() == LifecycleEvent.Type.RECORDS_PURGED) {
          firstBatch.countDown();
          // Keep the purge mid-flight until the hold has been placed.
          await(holdPlaced);
        }
        return true;
      }

      @Override
      public LifecycleEvent get(int i) {
        return events.get(i);
      }

      @Override
      public int size() {
        return events.size();
      }
    });
    Lifecycle legal = node(db.dataSource(), null);

    CompletableFuture<PurgeReport> run = CompletableFuture.supplyAsync(() -> purgeConfirmed(purger));
    assertTrue(firstBatch.await(2, TimeUnit.MINUTES));
    legal.holdSubject("held", "litigation 2026-17", "legal", Attribution.of("counsel", "court order"));
    Set<Long> survivorsAtHold = ids("SELECT id FROM events WHERE subject = 'held'");
    holdPlaced.countDown();
    PurgeReport report = run.get(5, TimeUnit.MINUTES);

    assertFalse(survivorsAtHold.isEmpty(), "the hold was placed while held rows remained");
    assertEquals(survivorsAtHold, ids("SELECT id FROM events WHERE subject = 'held'"), "no held row was purged");
    assertEquals(survivorsAtHold.size(), count("SELECT count(*) FROM events"), "everything else was purged");
    assertTrue(report.total() >= ROWS - ROWS / 10);
  }

  @Test
  void holdPlacedDuringBusyConcurrentPurge_loserNeverDeletesHeldRows() throws Exception {
    Lifecycle a = node(db.dataSource(), null);
    Lifecycle b = node(db.dataSource(), null);
    Lifecycle legal = node(db.dataSource(), null);
    CompletableFuture<PurgeReport> ra = CompletableFuture.supplyAsync(() -> purgeConfirmed(a));
    CompletableFuture<PurgeReport> rb = CompletableFuture.supplyAsync(() -> purgeConfirmed(b));
    while (count("SELECT count(*) FROM bulwark_lifecycle_evidence") < 3 && !ra.isDone()) {
      Thread.onSpinWait();
    }
    legal.holdSubject("held", "case", "legal", Attribution.of("counsel", "order"));
    Set<Long> survivors = ids("SELECT id FROM events WHERE subject = 'held'");
    ra.get(5, TimeUnit.MINUTES);
    rb.get(5, TimeUnit.MINUTES);
    assertEquals(survivors, ids("SELECT id FROM events WHERE subject = 'held'"));
    assertEquals(survivors.size(), count("SELECT count(*) FROM events"));
    clock.advance(Duration.ofMinutes(1));
  }

  @Test
  void holdPlacement_waitsForTheOpenBatch_andLaterBatchesSkipHeldRows() throws Exception {
    CountDownLatch inBatch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    int[] batches = {0};
    Set<Long> firstBatchHeld = java.util.concurrent.ConcurrentHashMap.newKeySet();
    JdbcLifecycleStore store = JdbcLifecycleStore.create(db.dataSource(),
        TableMapping.of(EVENTS, "events").withSubject("subject"));
    Lifecycle archiving = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(
            RetentionPolicy.purgeAfter(EVENTS, Period.ofDays(30)).withAction(RetentionPolicy.Action.ARCHIVE)))
        .clock(clock).batchSize(100).expiryHandler(new dev.bulwark.lifecycle.spi.ExpiryHandler() {
          @Override
          public void archive(List<dev.bulwark.lifecycle.spi.RecordState> records) {
            if (batches[0]++ == 0) {
              records.stream().filter(r -> r.subject().equals(Optional.of("held")))
                  .forEach(r -> firstBatchHeld.add(Long.parseLong(r.ref().id())));
              inBatch.countDown();
              await(release);   // the first batch's transaction stays open until the hold is waiting
            }
          }
        }).build();
    Lifecycle legal = node(db.dataSource(), null);
    CompletableFuture<PurgeReport> run = CompletableFuture.supplyAsync(() -> purgeConfirmed(archiving));
    assertTrue(inBatch.await(2, TimeUnit.MINUTES));
    CompletableFuture<?> hold = CompletableFuture.runAsync(
        () -> legal.holdSubject("held", "case", "legal", Attribution.of("counsel", "order")));
    while (count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        // The store's hold lock key 0x6c69666563796c65, split as PostgreSQL shows bigint keys.
        + " AND classid = 1818846821 AND objid = 1668901989") == 0) {
      assertFalse(hold.isDone(), "hold placement must wait for the open purge batch");
      Thread.onSpinWait();
    }
    assertFalse(hold.isDone());
    assertFalse(firstBatchHeld.isEmpty(), "the open batch holds rows of the subject about to be held");
    release.countDown();
    hold.get(2, TimeUnit.MINUTES);
    run.get(5, TimeUnit.MINUTES);
    Set<Long> remaining = ids("SELECT id FROM events");
    assertEquals(ROWS / 10 - firstBatchHeld.size(), remaining.size(),
        "the open batch finished (its held-subject rows were not held when it decided); every other held row stayed");
    assertTrue(remaining.stream().noneMatch(firstBatchHeld::contains));
  }

  private Set<Long> ids(String sql) throws SQLException {
    Set<Long> out = new HashSet<>();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A confirmed run, for the runs started on other threads: a refused run fails the future. */
  private PurgeReport purgeConfirmed(Lifecycle l) {
    try {
      return l.purgeRunner().run(confirm());
    } catch (dev.bulwark.lifecycle.PurgeRefusedException e) {
      throw new IllegalStateException(e);
    }
  }
}
