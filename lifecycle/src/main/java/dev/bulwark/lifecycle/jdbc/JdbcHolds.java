package dev.bulwark.lifecycle.jdbc;

import static dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore.instant;
import static dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore.ts;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.LegalHold;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Bulwark's own store of legal holds on PostgreSQL ({@code bulwark_lifecycle_holds} and
 * {@code _hold_targets}). Every method works in the caller's connection; the hold discipline
 * (the advisory lock purge batches share) is the caller's.
 */
final class JdbcHolds {

  private JdbcHolds() {}

  /**
   * Stores a hold and, for a subject or tenant hold, its target per data class in that class's
   * column form (empty: the value cannot exist there).
   *
   * @throws IllegalArgumentException when the hold id is already used
   */
  static void insert(Connection c, LegalHold hold, Map<DataClass, Optional<String>> targets) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_holds (hold_id, scope, target,"
        + " data_class, reason, owner, placed_by, placed_reason, placed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (hold_id) DO NOTHING")) {
      ps.setObject(1, hold.id());
      ps.setString(2, hold.scope().name());
      ps.setString(3, hold.target());
      ps.setString(4, hold.dataClass().map(DataClass::name).orElse(null));
      ps.setString(5, hold.reason());
      ps.setString(6, hold.owner());
      ps.setString(7, hold.placedBy().actor());
      ps.setString(8, hold.placedBy().reason());
      ps.setObject(9, ts(hold.placedAt()));
      if (ps.executeUpdate() != 1) {
        throw new IllegalArgumentException("hold id " + hold.id() + " is already used");
      }
    }
    if (!targets.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO bulwark_lifecycle_hold_targets (hold_id, data_class, target) VALUES (?, ?, ?)")) {
        for (Map.Entry<DataClass, Optional<String>> e : targets.entrySet()) {
          ps.setObject(1, hold.id());
          ps.setString(2, e.getKey().name());
          ps.setString(3, e.getValue().orElse(null));
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
  }

  /** Records the release of an active hold; empty when there is no such active hold. */
  static Optional<LegalHold> release(Connection c, UUID id, LegalHold.Release release) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE bulwark_lifecycle_holds h SET released_by = ?,"
        + " released_reason = ?, released_at = ? WHERE h.hold_id = ? AND h.released_at IS NULL RETURNING "
        + Table.HOLD_COLUMNS)) {
      ps.setString(1, release.by().actor());
      ps.setString(2, release.by().reason());
      ps.setObject(3, ts(release.at()));
      ps.setObject(4, id);
      return read(ps).stream().findFirst();
    }
  }

  /** The hold with this id, active or released. */
  static Optional<LegalHold> byId(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT " + Table.HOLD_COLUMNS + " FROM bulwark_lifecycle_holds h WHERE h.hold_id = ?")) {
      ps.setObject(1, id);
      return read(ps).stream().findFirst();
    }
  }

  /** Every active hold, oldest first. */
  static List<LegalHold> active(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + Table.HOLD_COLUMNS
        + " FROM bulwark_lifecycle_holds h WHERE h.released_at IS NULL ORDER BY h.placed_at, h.hold_id")) {
      return read(ps);
    }
  }

  private static LegalHold readOne(ResultSet rs) throws SQLException {
    Optional<LegalHold.Release> release = Optional.empty();
    if (rs.getString(10) != null) {
      release = Optional.of(new LegalHold.Release(new Attribution(rs.getString(10), rs.getString(11)),
          instant(rs, 12).orElseThrow()));
    }
    return new LegalHold(rs.getObject(1, UUID.class), LegalHold.Scope.valueOf(rs.getString(2)), rs.getString(3),
        Optional.ofNullable(rs.getString(4)).map(DataClass::of), rs.getString(5), rs.getString(6),
        new Attribution(rs.getString(7), rs.getString(8)), instant(rs, 9).orElseThrow(), release);
  }

  /** The holds a query over {@link Table#HOLD_COLUMNS} returns. */
  static List<LegalHold> read(PreparedStatement ps) throws SQLException {
    List<LegalHold> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(readOne(rs));
      }
    }
    return out;
  }
}
