package dev.bulwark.lifecycle.jdbc;

import dev.bulwark.lifecycle.LifecycleStoreException;
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
 * mapping (validated and found in {@code information_schema}, always written quoted) or from
 * {@code information_schema} itself (type names); the data class name is a validated literal
 * ({@code [a-z][a-z0-9._-]*}); values are always bound parameters.
 *
 * <p>Holds are compared as typed values: a hold's target is stored in the column's canonical
 * text form when it is placed, and cast back to the column's type inside the purge statement,
 * so {@code 007} and {@code 7} (bigint) or upper- and lower-case UUIDs name the same row. Each
 * cast sits under a {@code CASE} on the data class, so a target stored for another class (of
 * another type) is never cast to this table's type.
 */
final class Table {

  private static final Pattern TYPE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /** The columns of a hold, for statements that alias the holds table {@code h}. */
  static final String HOLD_COLUMNS = "h.hold_id, h.scope, h.target, h.data_class, h.reason, h.owner, h.placed_by,"
      + " h.placed_reason, h.placed_at, h.released_by, h.released_reason, h.released_at";

  final TableMapping mapping;
  final String idType;
  final Optional<String> subjectType;
  final Optional<String> tenantType;
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
  final String deleteOne;
  final String holdsCovering;
  final String canonicalId;
  final Optional<String> canonicalSubject;
  final Optional<String> canonicalTenant;
  final Optional<String> subjectHolds;
  final Optional<String> tenantHolds;
  final String countAll;

  private Table(TableMapping m, String idType, Optional<String> subjectType, Optional<String> tenantType) {
    this.mapping = m;
    this.idType = idType;
    this.subjectType = subjectType;
    this.tenantType = tenantType;
    String cls = "'" + m.dataClass().name() + "'";
    String tbl = TableMapping.quoted(m.table());
    String id = "t." + TableMapping.quoted(m.idColumn());
    Optional<String> subject = m.subjectColumn().map(c -> "t." + TableMapping.quoted(c));
    Optional<String> tenant = m.tenantColumn().map(c -> "t." + TableMapping.quoted(c));
    String idParam = "CAST(? AS " + idType + ")";
    String purgeAfterCol = TableMapping.quoted(m.purgeAfterColumn());
    String deletedAtCol = TableMapping.quoted(m.deletedAtColumn());
    String cols = "CAST(" + id + " AS text), "
        + subject.map(c -> "CAST(" + c + " AS text)").orElse("CAST(NULL AS text)") + ", "
        + tenant.map(c -> "CAST(" + c + " AS text)").orElse("CAST(NULL AS text)") + ", "
        + m.eligibleAtColumn().map(c -> "t." + TableMapping.quoted(c)).orElse("CAST(NULL AS timestamptz)") + ", "
        + "t." + deletedAtCol + ", t." + purgeAfterCol + ", "
        + m.operationColumn().map(c -> "CAST(t." + TableMapping.quoted(c) + " AS text)").orElse("CAST(NULL AS text)");
    String from = " FROM " + tbl + " t ";
    String purgeAfter = "t." + purgeAfterCol;
    String deletedAt = "t." + deletedAtCol;
    // When a hold covers row t (hold aliased h). Holds fail closed: without a subject (tenant)
    // column every subject (tenant) hold covers the row, and so does a subject (tenant) hold
    // stored before this class was mapped (it has no canonical target for this class).
    String cover = "(h.scope = 'CLASS' AND h.data_class = " + cls + ")"
        + " OR (h.scope = 'RECORD' AND h.data_class = " + cls + " AND CASE WHEN h.data_class = " + cls
        + " THEN " + id + " = CAST(h.target AS " + idType + ") ELSE false END)"
        + " OR (h.scope = 'SUBJECT' AND " + partyCover(cls, subject, subjectType) + ")"
        + " OR (h.scope = 'TENANT' AND " + partyCover(cls, tenant, tenantType) + ")";
    String notHeld = "NOT EXISTS (SELECT 1 FROM bulwark_lifecycle_holds h WHERE h.released_at IS NULL AND ("
        + cover + "))";
    // Rows a run set aside (their delete failed) are not retried within the same run.
    String notSetAside = "NOT EXISTS (SELECT 1 FROM bulwark_lifecycle_set_aside s WHERE s.reference = ?"
        + " AND s.data_class = " + cls + " AND CASE WHEN s.data_class = " + cls + " THEN " + id
        + " = CAST(s.record_id AS " + idType + ") ELSE false END)";
    String dueWhere = "WHERE " + purgeAfter + " <= ? AND " + notHeld;
    String subjectWhere = subject
        .map(c -> "WHERE " + c + " = CAST(? AS " + subjectType.orElseThrow() + ") AND " + notHeld).orElse(null);

    selectById = "SELECT " + cols + from + "WHERE " + id + " = " + idParam;
    lockById = selectById + " FOR UPDATE OF t";
    markEligible = "UPDATE " + tbl + " t SET " + purgeAfterCol + " = ?"
        + m.eligibleAtColumn().map(c -> ", " + TableMapping.quoted(c) + " = ?").orElse("")
        + " WHERE " + id + " = " + idParam + " AND " + purgeAfter + " IS NULL";
    String scheduledWhere = "WHERE " + deletedAt + " IS NULL AND " + purgeAfter + " IS NOT NULL AND "
        + m.eligibleAtColumn().map(c -> "t." + TableMapping.quoted(c)).orElse("NULL") + " IS NOT NULL";
    scheduledFirst = "SELECT " + cols + from + scheduledWhere + " ORDER BY " + id + " LIMIT ?";
    scheduledAfter = "SELECT " + cols + from + scheduledWhere + " AND " + id + " > " + idParam
        + " ORDER BY " + id + " LIMIT ?";
    moveDeadline = "UPDATE " + tbl + " t SET " + purgeAfterCol + " = ? WHERE " + id + " = " + idParam
        + " AND " + purgeAfter + " = ? AND " + deletedAt + " IS NULL";
    markDeleted = "UPDATE " + tbl + " t SET " + deletedAtCol + " = ?, " + purgeAfterCol + " = ?"
        + m.operationColumn().map(c -> ", " + TableMapping.quoted(c) + " = ?").orElse("")
        + " WHERE " + id + " = " + idParam;
    unmarkDeleted = "UPDATE " + tbl + " t SET " + deletedAtCol + " = NULL, " + purgeAfterCol + " = ?"
        + m.operationColumn().map(c -> ", " + TableMapping.quoted(c) + " = NULL").orElse("")
        + " WHERE " + id + " = " + idParam;
    String order = " ORDER BY " + purgeAfter + ", " + id + " LIMIT ?";
    due = "SELECT " + cols + from + dueWhere + order;
    countDue = "SELECT count(*)" + from + dueWhere;
    countAll = "SELECT count(*) FROM " + tbl;
    countSubject = subject
        .map(c -> "SELECT count(*)" + from + "WHERE " + c + " = CAST(? AS " + subjectType.orElseThrow() + ")")
        .orElse(null);
    lockDue = "SELECT " + cols + from + dueWhere + " AND " + notSetAside + order + " FOR UPDATE OF t SKIP LOCKED";
    // An erasure waits for rows the host has locked (bounded by lock_timeout) instead of
    // skipping them: a skipped row would be reported as remaining, as if it were held.
    lockSubject = subjectWhere == null ? null
        : "SELECT " + cols + from + subjectWhere + " AND " + notSetAside + " ORDER BY " + id + " LIMIT ? FOR UPDATE OF t";
    purgeDue = "WITH batch AS (SELECT " + id + " AS bid" + from + dueWhere + " AND " + notSetAside + order
        + " FOR UPDATE OF t SKIP LOCKED) DELETE FROM " + tbl + " t USING batch WHERE " + id + " = batch.bid"
        + " RETURNING " + cols;
    purgeSubject = subjectWhere == null ? null
        : "WITH batch AS (SELECT " + id + " AS bid" + from + subjectWhere + " AND " + notSetAside + " ORDER BY " + id
            + " LIMIT ? FOR UPDATE OF t) DELETE FROM " + tbl + " t USING batch WHERE " + id
            + " = batch.bid RETURNING " + cols;
    clearDeadlines = "UPDATE " + tbl + " t SET " + purgeAfterCol + " = NULL WHERE " + id
        + " = ANY(CAST(? AS " + idType + "[]))";
    deleteIds = "DELETE FROM " + tbl + " t WHERE " + id + " = ANY(CAST(? AS " + idType + "[]))";
    deleteOne = "DELETE FROM " + tbl + " t WHERE " + id + " = " + idParam;
    holdsCovering = "SELECT " + HOLD_COLUMNS + " FROM bulwark_lifecycle_holds h, " + tbl + " t WHERE " + id + " = "
        + idParam + " AND h.released_at IS NULL AND (" + cover + ") ORDER BY h.placed_at, h.hold_id";
    canonicalId = "SELECT CAST(CAST(? AS " + idType + ") AS text)";
    canonicalSubject = subjectType.map(ty -> "SELECT CAST(CAST(? AS " + ty + ") AS text)");
    canonicalTenant = tenantType.map(ty -> "SELECT CAST(CAST(? AS " + ty + ") AS text)");
    subjectHolds = subjectType.map(ty -> partyHolds("SUBJECT", cls, ty));
    tenantHolds = tenantType.map(ty -> partyHolds("TENANT", cls, ty));
  }

  private static String partyCover(String cls, Optional<String> column, Optional<String> type) {
    if (column.isEmpty()) {
      return "true";
    }
    return "(NOT EXISTS (SELECT 1 FROM bulwark_lifecycle_hold_targets x WHERE x.hold_id = h.hold_id"
        + " AND x.data_class = " + cls + ")"
        + " OR EXISTS (SELECT 1 FROM bulwark_lifecycle_hold_targets x WHERE x.hold_id = h.hold_id"
        + " AND x.data_class = " + cls + " AND CASE WHEN x.data_class = " + cls + " AND x.target IS NOT NULL THEN "
        + column.get() + " = CAST(x.target AS " + type.orElseThrow() + ") ELSE false END))";
  }

  /** Active holds of this scope whose target for this class equals the bound value (typed). */
  private static String partyHolds(String scope, String cls, String type) {
    return "SELECT " + HOLD_COLUMNS + " FROM bulwark_lifecycle_holds h WHERE h.released_at IS NULL AND h.scope = '"
        + scope + "' AND (NOT EXISTS (SELECT 1 FROM bulwark_lifecycle_hold_targets x WHERE x.hold_id = h.hold_id"
        + " AND x.data_class = " + cls + ") OR EXISTS (SELECT 1 FROM bulwark_lifecycle_hold_targets x"
        + " WHERE x.hold_id = h.hold_id AND x.data_class = " + cls + " AND CASE WHEN x.data_class = " + cls
        + " AND x.target IS NOT NULL THEN CAST(x.target AS " + type + ") = CAST(? AS " + type + ") ELSE false END))";
  }

  /** Checks the mapping against the database (read only); adds every problem found to {@code problems}. */
  static Optional<Table> check(Connection c, TableMapping m, List<String> problems) throws SQLException {
    Map<String, String> types = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT column_name, udt_name FROM information_schema.columns"
        + " WHERE table_schema = current_schema() AND table_name = ?")) {
      ps.setString(1, TableMapping.bare(m.table()));
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
      String t = types.get(TableMapping.bare(col));
      if (t != null && !t.equals("uuid") && !t.equals("text") && !t.equals("varchar")) {
        problems.add("column " + m.table() + "." + col + " (operation) is " + t + ", must be uuid or text");
      }
    });
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new Table(m, types.get(TableMapping.bare(m.idColumn())),
        m.subjectColumn().map(col -> types.get(TableMapping.bare(col))),
        m.tenantColumn().map(col -> types.get(TableMapping.bare(col)))));
  }

  private static void column(TableMapping m, Map<String, String> types, String role, String col,
      String requiredType, List<String> problems) {
    String type = types.get(TableMapping.bare(col));
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
      if (doesNotFit(e)) {
        // An id the column's type cannot hold names no record.
        return Optional.empty();
      }
      throw e;
    }
  }

  /** True for the errors a value that does not fit a column's type raises (invalid text, out of range). */
  static boolean doesNotFit(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith("22");
  }

  /**
   * An id the column's type cannot hold names no record: the refusal to throw; any other
   * database failure is thrown as a {@link LifecycleStoreException}.
   */
  UnknownRecordException unknownRecord(RecordRef ref, SQLException e) {
    if (doesNotFit(e)) {
      return new UnknownRecordException("no record " + ref + " (the id does not fit column "
          + mapping.table() + "." + mapping.idColumn() + ")");
    }
    throw new LifecycleStoreException("lifecycle store failed on " + ref + ": " + e.getMessage(), e);
  }
}
