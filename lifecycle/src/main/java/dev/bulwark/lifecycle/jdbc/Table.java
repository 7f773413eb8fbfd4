package dev.bulwark.lifecycle.jdbc;

import dev.bulwark.lifecycle.LifecycleException;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.UnknownRecordException;
import dev.bulwark.lifecycle.spi.RecordState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One checked {@link TableMapping} with its SQL. Every identifier in the SQL comes from the
 * mapping (validated as a plain identifier and found in {@code information_schema}) or from
 * {@code information_schema} itself (type names); values are always bound parameters.
 */
final class Table {

  private static final Pattern TYPE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  final TableMapping mapping;
  final String selectById;
  final String lockById;
  final String markEligible;
  final String scheduledFirst;
  final String scheduledAfter;
  final String moveDeadline;
  final String markDeleted;
  final String unmarkDeleted;
  final String due;
  final String countDue;
  final String countSubject;
  final String purgeDue;
  final String purgeSubject;
  final String lockDue;
  final String lockSubject;
  final String clearDeadlines;
  final String deleteIds;

  private Table(TableMapping m, String idType, Optional<String> subjectType) {
    this.mapping = m;
    String tbl = m.table();
    String id = "t." + m.idColumn();
    String idParam = "CAST(? AS " + idType + ")";
    String cols = "CAST(" + id + " AS text), "
        + m.subjectColumn().map(c -> "CAST(t." + c + " AS text)").orElse("CAST(NULL AS text)") + ", "
        + m.tenantColumn().map(c -> "CAST(t." + c + " AS text)").orElse("CAST(NULL AS text)") + ", "
        + m.eligibleAtColumn().map(c -> "t." + c).orElse("CAST(NULL AS timestamptz)") + ", "
        + "t." + m.deletedAtColumn() + ", t." + m.purgeAfterColumn() + ", "
        + m.operationColumn().map(c -> "CAST(t." + c + " AS text)").orElse("CAST(NULL AS text)");
    String from = " FROM " + tbl + " t ";
    String purgeAfter = "t." + m.purgeAfterColumn();
    String deletedAt = "t." + m.deletedAtColumn();
    // Holds fail closed: without a subject (tenant) column every subject (tenant) hold covers the row.
    String holds = "NOT EXISTS (SELECT 1 FROM bulwark_lifecycle_holds h WHERE h.released_at IS NULL AND ("
        + "(h.scope = 'RECORD' AND h.data_class = ? AND h.target = CAST(" + id + " AS text))"
        + " OR (h.scope = 'SUBJECT'"
        + m.subjectColumn().map(c -> " AND h.target = CAST(t." + c + " AS text)").orElse("") + ")"
        + " OR (h.scope = 'TENANT'"
        + m.tenantColumn().map(c -> " AND h.target = CAST(t." + c + " AS text)").orElse("") + ")))";
    String dueWhere = "WHERE " + purgeAfter + " <= ? AND " + holds;
    String subjectWhere = m.subjectColumn()
        .map(c -> "WHERE t." + c + " = CAST(? AS " + subjectType.orElseThrow() + ") AND " + holds).orElse(null);

    selectById = "SELECT " + cols + from + "WHERE " + id + " = " + idParam;
    lockById = selectById + " FOR UPDATE OF t";
    markEligible = "UPDATE " + tbl + " t SET " + m.purgeAfterColumn() + " = ?"
        + m.eligibleAtColumn().map(c -> ", " + c + " = ?").orElse("")
        + " WHERE " + id + " = " + idParam + " AND " + purgeAfter + " IS NULL";
    String scheduledWhere = "WHERE " + deletedAt + " IS NULL AND " + purgeAfter + " IS NOT NULL AND "
        + m.eligibleAtColumn().map(c -> "t." + c).orElse("NULL") + " IS NOT NULL";
    scheduledFirst = "SELECT " + cols + from + scheduledWhere + " ORDER BY " + id + " LIMIT ?";
    scheduledAfter = "SELECT " + cols + from + scheduledWhere + " AND " + id + " > " + idParam
        + " ORDER BY " + id + " LIMIT ?";
    moveDeadline = "UPDATE " + tbl + " t SET " + m.purgeAfterColumn() + " = ? WHERE " + id + " = " + idParam
        + " AND " + purgeAfter + " = ? AND " + deletedAt + " IS NULL";
    markDeleted = "UPDATE " + tbl + " t SET " + m.deletedAtColumn() + " = ?, " + m.purgeAfterColumn() + " = ?"
        + m.operationColumn().map(c -> ", " + c + " = ?").orElse("") + " WHERE " + id + " = " + idParam;
    unmarkDeleted = "UPDATE " + tbl + " t SET " + m.deletedAtColumn() + " = NULL, " + m.purgeAfterColumn() + " = ?"
        + m.operationColumn().map(c -> ", " + c + " = NULL").orElse("") + " WHERE " + id + " = " + idParam;
    String order = " ORDER BY " + purgeAfter + ", " + id + " LIMIT ?";
    due = "SELECT " + cols + from + dueWhere + order;
    countDue = "SELECT count(*)" + from + dueWhere;
    countSubject = m.subjectColumn()
        .map(c -> "SELECT count(*)" + from + "WHERE t." + c + " = CAST(? AS " + subjectType.orElseThrow() + ")")
        .orElse(null);
    lockDue = "SELECT " + cols + from + dueWhere + order + " FOR UPDATE OF t SKIP LOCKED";
    lockSubject = subjectWhere == null ? null
        : "SELECT " + cols + from + subjectWhere + " ORDER BY " + id + " LIMIT ? FOR UPDATE OF t SKIP LOCKED";
    purgeDue = "WITH batch AS (SELECT " + id + " AS bid" + from + dueWhere + order
        + " FOR UPDATE OF t SKIP LOCKED) DELETE FROM " + tbl + " t USING batch WHERE " + id + " = batch.bid"
        + " RETURNING " + cols;
    purgeSubject = subjectWhere == null ? null
        : "WITH batch AS (SELECT " + id + " AS bid" + from + subjectWhere + " ORDER BY " + id
            + " LIMIT ? FOR UPDATE OF t SKIP LOCKED) DELETE FROM " + tbl + " t USING batch WHERE " + id
            + " = batch.bid RETURNING " + cols;
    clearDeadlines = "UPDATE " + tbl + " t SET " + m.purgeAfterColumn() + " = NULL WHERE " + id
        + " = ANY(CAST(? AS " + idType + "[]))";
    deleteIds = "DELETE FROM " + tbl + " t WHERE " + id + " = ANY(CAST(? AS " + idType + "[]))";
  }

  /** Checks the mapping against the database; adds every problem found to {@code problems}. */
  static Optional<Table> check(Connection c, TableMapping m, List<String> problems) throws SQLException {
    Map<String, String> types = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT column_name, udt_name FROM information_schema.columns"
        + " WHERE table_schema = current_schema() AND table_name = ?")) {
      ps.setString(1, m.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    if (types.isEmpty()) {
      problems.add("table " + m.table() + " (data class " + m.dataClass() + ") does not exist in the current schema");
      return Optional.empty();
    }
    int before = problems.size();
    column(m, types, "id", m.idColumn(), null, problems);
    column(m, types, "deletedAt", m.deletedAtColumn(), "timestamptz", problems);
    column(m, types, "purgeAfter", m.purgeAfterColumn(), "timestamptz", problems);
    m.subjectColumn().ifPresent(col -> column(m, types, "subject", col, null, problems));
    m.tenantColumn().ifPresent(col -> column(m, types, "tenant", col, null, problems));
    m.eligibleAtColumn().ifPresent(col -> column(m, types, "eligibleAt", col, "timestamptz", problems));
    m.operationColumn().ifPresent(col -> {
      column(m, types, "operation", col, null, problems);
      String t = types.get(col);
      if (t != null && !t.equals("uuid") && !t.equals("text") && !t.equals("varchar")) {
        problems.add("column " + m.table() + "." + col + " (operation) is " + t + ", must be uuid or text");
      }
    });
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new Table(m, types.get(m.idColumn()), m.subjectColumn().map(types::get)));
  }

  private static void column(TableMapping m, Map<String, String> types, String role, String col,
      String requiredType, List<String> problems) {
    String type = types.get(col);
    if (type == null) {
      problems.add("table " + m.table() + " has no column " + col + " (" + role + ")");
    } else if (!TYPE_NAME.matcher(type).matches()) {
      problems.add("column " + m.table() + "." + col + " (" + role + ") has an unsupported type " + type);
    } else if (requiredType != null && !requiredType.equals(type)) {
      problems.add("column " + m.table() + "." + col + " (" + role + ") is " + type + ", must be " + requiredType);
    }
  }

  RecordState state(ResultSet rs) throws SQLException {
    return new RecordState(new RecordRef(mapping.dataClass(), rs.getString(1)),
        Optional.ofNullable(rs.getString(2)), Optional.ofNullable(rs.getString(3)),
        JdbcLifecycleStore.instant(rs, 4), JdbcLifecycleStore.instant(rs, 5), JdbcLifecycleStore.instant(rs, 6),
        Optional.ofNullable(rs.getString(7)).map(OperationId::parse));
  }

  List<RecordState> states(PreparedStatement ps) throws SQLException {
    List<RecordState> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(state(rs));
      }
    }
    return out;
  }

  Optional<RecordState> lock(Connection c, RecordRef ref) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(lockById)) {
      ps.setString(1, ref.id());
      List<RecordState> found = states(ps);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    } catch (SQLException e) {
      throw badId(ref, e);
    }
  }

  /** An id the column's type cannot hold names no record. */
  RuntimeException badId(RecordRef ref, SQLException e) {
    if ("22P02".equals(e.getSQLState())) {
      return new UnknownRecordException("no record " + ref + " (the id does not fit column "
          + mapping.table() + "." + mapping.idColumn() + ")");
    }
    return new LifecycleException("lifecycle store failed on " + ref + ": " + e.getMessage(), e);
  }
}
