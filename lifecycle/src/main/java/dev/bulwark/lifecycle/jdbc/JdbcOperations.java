package dev.bulwark.lifecycle.jdbc;

import static dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore.instant;
import static dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore.ts;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Bulwark's own store of soft-delete operations on PostgreSQL ({@code bulwark_lifecycle_operations}
 * and {@code _operation_records}): the journal a restore reads. Every method works in the caller's
 * connection, so an operation is written in the same transaction as the rows it marks.
 */
final class JdbcOperations {

  private JdbcOperations() {}

  /** Records the operation's header; false when its id is already used. */
  static boolean insert(Connection c, SoftDeletion operation) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_operations"
        + " (op_id, actor, reason, deleted_at) VALUES (?, ?, ?, ?) ON CONFLICT (op_id) DO NOTHING")) {
      ps.setObject(1, operation.id().value());
      ps.setString(2, operation.by().actor());
      ps.setString(3, operation.by().reason());
      ps.setObject(4, ts(operation.at()));
      return ps.executeUpdate() == 1;
    }
  }

  /** Records the operation's entries, in order. */
  static void insertEntries(Connection c, OperationId id, List<SoftDeletion.Entry> entries) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_operation_records"
        + " (op_id, seq, data_class, record_id, purge_after, prior_purge_after) VALUES (?, ?, ?, ?, ?, ?)")) {
      int seq = 0;
      for (SoftDeletion.Entry e : entries) {
        ps.setObject(1, id.value());
        ps.setInt(2, seq++);
        ps.setString(3, e.ref().dataClass().name());
        ps.setString(4, e.ref().id());
        ps.setObject(5, ts(e.purgeAfter()));
        ps.setObject(6, e.priorPurgeAfter().map(JdbcLifecycleStore::ts).orElse(null));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Records the restore of an operation. */
  static void markRestored(Connection c, OperationId id, SoftDeletion.Restoration restoration) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE bulwark_lifecycle_operations SET restored_by = ?,"
        + " restored_reason = ?, restored_at = ? WHERE op_id = ?")) {
      ps.setString(1, restoration.by().actor());
      ps.setString(2, restoration.by().reason());
      ps.setObject(3, ts(restoration.at()));
      ps.setObject(4, id.value());
      ps.executeUpdate();
    }
  }

  /** The operation, with its entries in journal order; {@code lock}: FOR UPDATE. */
  static Optional<SoftDeletion> read(Connection c, OperationId id, boolean lock) throws SQLException {
    Attribution by;
    Instant at;
    Optional<SoftDeletion.Restoration> restoration = Optional.empty();
    try (PreparedStatement ps = c.prepareStatement("SELECT actor, reason, deleted_at, restored_by, restored_reason,"
        + " restored_at FROM bulwark_lifecycle_operations WHERE op_id = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setObject(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        by = new Attribution(rs.getString(1), rs.getString(2));
        at = instant(rs, 3).orElseThrow();
        if (rs.getString(4) != null) {
          restoration = Optional.of(new SoftDeletion.Restoration(
              new Attribution(rs.getString(4), rs.getString(5)), instant(rs, 6).orElseThrow()));
        }
      }
    }
    List<SoftDeletion.Entry> entries = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT data_class, record_id, purge_after, prior_purge_after"
        + " FROM bulwark_lifecycle_operation_records WHERE op_id = ? ORDER BY seq")) {
      ps.setObject(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          entries.add(new SoftDeletion.Entry(new RecordRef(DataClass.of(rs.getString(1)), rs.getString(2)),
              instant(rs, 3).orElseThrow(), instant(rs, 4)));
        }
      }
    }
    return Optional.of(new SoftDeletion(id, by, at, entries, restoration));
  }

  /** Whether another unrestored operation deleted the record at the same time (later in the journal) or later. */
  static boolean deletedAgainLater(Connection c, OperationId id, Instant at, RecordRef ref) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM bulwark_lifecycle_operation_records r"
        + " JOIN bulwark_lifecycle_operations o ON o.op_id = r.op_id WHERE r.data_class = ? AND r.record_id = ?"
        + " AND r.op_id <> ? AND o.restored_at IS NULL AND (o.deleted_at > ? OR (o.deleted_at = ?"
        + " AND o.seq > (SELECT seq FROM bulwark_lifecycle_operations WHERE op_id = ?))) LIMIT 1")) {
      ps.setString(1, ref.dataClass().name());
      ps.setString(2, ref.id());
      ps.setObject(3, id.value());
      ps.setObject(4, ts(at));
      ps.setObject(5, ts(at));
      ps.setObject(6, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
