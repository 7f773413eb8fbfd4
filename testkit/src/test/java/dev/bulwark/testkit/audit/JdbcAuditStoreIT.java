package dev.bulwark.testkit.audit;

import dev.bulwark.audit.CanonicalEncoding;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.SegmentedAuditStore;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The JDBC store under the contract on a real PostgreSQL; attacks are plain SQL with the app's credentials plus DML. */
class JdbcAuditStoreIT extends SegmentedAuditStoreContract {

  private static PostgresSchema db;
  private static DataSource ds;
  private static final AtomicInteger LOGS = new AtomicInteger();
  private String logId;

  @BeforeAll
  static void database() {
    db = PostgresSchema.create("audit");
    ds = db.dataSource();
  }

  @AfterAll
  static void drop() throws Exception {
    db.close();
  }

  @Override
  protected SegmentedAuditStore createSegmentedStore(FakeClock clock) {
    logId = "log-" + LOGS.incrementAndGet();
    return new JdbcAuditStore(ds, logId);
  }

  @Override
  protected void rewriteEvents(UnaryOperator<List<StoredEvent>> change) throws Exception {
    List<StoredEvent> current;
    try (Stream<StoredEvent> s = store.read(0)) {
      current = s.collect(Collectors.toList());
    }
    List<StoredEvent> changed = change.apply(new ArrayList<>(current));
    SecureRandom random = new SecureRandom();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement p = c.prepareStatement("DELETE FROM bulwark_audit_event WHERE log_id = ?")) {
        p.setString(1, logId);
        p.executeUpdate();
      }
      // The attacker keeps the table's constraints satisfied: duplicate positions are written at fresh row keys.
      long spare = 1_000_000;
      java.util.Set<Long> used = new java.util.HashSet<>();
      // A permutation (swap) is written the SQL way: row contents exchanged, row keys kept in place.
      List<Long> before = current.stream().map(StoredEvent::seq).collect(Collectors.toList());
      List<Long> after = changed.stream().map(StoredEvent::seq).collect(Collectors.toList());
      boolean permutation = !before.equals(after) && before.equals(after.stream().sorted().collect(Collectors.toList()));
      for (int i = 0; i < changed.size(); i++) {
        StoredEvent e = changed.get(i);
        long rowSeq = permutation ? before.get(i) : e.seq();
        LoggedEvent le;
        try {
          le = CanonicalEncoding.decode(e.payload());
        } catch (dev.bulwark.audit.AuditFormatException ex) {
          le = null;
        }
        byte[] prev = new byte[32];
        random.nextBytes(prev);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO bulwark_audit_event (log_id, seq, payload, chain_hash, prev_chain,"
            + " mac, recorded_at, occurred_at, actor_id, tenant, action, correlation_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
          p.setString(1, logId);
          p.setLong(2, used.add(rowSeq) ? rowSeq : spare++);
          p.setBytes(3, e.payload().toByteArray());
          p.setBytes(4, e.chainHash().toByteArray());
          p.setBytes(5, prev);
          p.setBytes(6, e.mac().toByteArray());
          LocalDateTime t = le == null ? LocalDateTime.of(2026, 1, 1, 0, 0) : LocalDateTime.ofInstant(le.recordedAt(), ZoneOffset.UTC);
          p.setObject(7, t);
          p.setObject(8, t);
          p.setString(9, le == null ? "x" : le.event().actor().id());
          p.setString(10, null);
          p.setString(11, le == null ? "x" : le.event().action().name());
          p.setString(12, null);
          p.executeUpdate();
        }
      }
      c.commit();
    }
  }

  @Override
  protected void rewriteCheckpoints(UnaryOperator<List<String>> change) throws Exception {
    List<String> changed = change.apply(new ArrayList<>(store.checkpoints()));
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement p = c.prepareStatement("DELETE FROM bulwark_audit_checkpoint WHERE log_id = ?")) {
        p.setString(1, logId);
        p.executeUpdate();
      }
      for (String note : changed) {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO bulwark_audit_checkpoint (log_id, note) VALUES (?, ?)")) {
          p.setString(1, logId);
          p.setString(2, note);
          p.executeUpdate();
        }
      }
      c.commit();
    }
  }
}
