package dev.bulwark.lifecycle.jdbc;

import dev.bulwark.lifecycle.DataClass;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the records of one {@link DataClass} live in a host's own table: which columns hold the
 * id and the lifecycle marks. The host adds the lifecycle columns to its table (see the module
 * README for the DDL, including the partial unique index for soft-deleted rows);
 * {@link JdbcLifecycleStore} checks them against the database when it is built.
 *
 * <p>Names are unquoted lower-case SQL identifiers ({@code [a-z_][a-z0-9_]{0,62}}), or quoted
 * identifiers ({@code "Order"}, {@code "user"}: letters, digits and {@code _} between double
 * quotes), resolved in the connection's current schema. A PostgreSQL reserved word ({@code user},
 * {@code order}, {@code group}...) is refused unquoted, because unquoted it names something else
 * or does not parse; quote it. A column may play only one role.
 *
 * @param dataClass the class whose records the table holds
 * @param table the host's table
 * @param idColumn its primary key (any type with a text form: bigint, uuid, text...)
 * @param deletedAtColumn {@code timestamptz}, null while live
 * @param purgeAfterColumn {@code timestamptz}, the fixed deadline; index it
 * @param subjectColumn the data subject (needed for subject holds to be precise and for erasure)
 * @param tenantColumn the tenant (needed for tenant holds to be precise)
 * @param eligibleAtColumn {@code timestamptz}, when retention started (needed for re-evaluation)
 * @param operationColumn {@code uuid}, the soft-delete operation (optional, for the host's queries)
 */
public record TableMapping(
    DataClass dataClass,
    String table,
    String idColumn,
    String deletedAtColumn,
    String purgeAfterColumn,
    Optional<String> subjectColumn,
    Optional<String> tenantColumn,
    Optional<String> eligibleAtColumn,
    Optional<String> operationColumn) {

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern QUOTED = Pattern.compile("\"[A-Za-z_][A-Za-z0-9_]{0,62}\"");

  /** PostgreSQL's reserved key words (including those allowed only as function or type names). */
  private static final Set<String> RESERVED = Set.of("all", "analyse", "analyze", "and", "any", "array", "as",
      "asc", "asymmetric", "authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
      "column", "concurrently", "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
      "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc",
      "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze", "from", "full",
      "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull", "join",
      "lateral", "leading", "left", "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull",
      "null", "offset", "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "references",
      "returning", "right", "select", "session_user", "similar", "some", "symmetric", "system_user", "table",
      "tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose",
      "when", "where", "window", "with");

  public TableMapping {
    Objects.requireNonNull(dataClass, "dataClass");
    identifier(table, "table");
    identifier(idColumn, "idColumn");
    identifier(deletedAtColumn, "deletedAtColumn");
    identifier(purgeAfterColumn, "purgeAfterColumn");
    Objects.requireNonNull(subjectColumn, "subjectColumn").ifPresent(c -> identifier(c, "subjectColumn"));
    Objects.requireNonNull(tenantColumn, "tenantColumn").ifPresent(c -> identifier(c, "tenantColumn"));
    Objects.requireNonNull(eligibleAtColumn, "eligibleAtColumn").ifPresent(c -> identifier(c, "eligibleAtColumn"));
    Objects.requireNonNull(operationColumn, "operationColumn").ifPresent(c -> identifier(c, "operationColumn"));
    Map<String, String> roles = new HashMap<>();
    role(roles, idColumn, "idColumn");
    role(roles, deletedAtColumn, "deletedAtColumn");
    role(roles, purgeAfterColumn, "purgeAfterColumn");
    subjectColumn.ifPresent(c -> role(roles, c, "subjectColumn"));
    tenantColumn.ifPresent(c -> role(roles, c, "tenantColumn"));
    eligibleAtColumn.ifPresent(c -> role(roles, c, "eligibleAtColumn"));
    operationColumn.ifPresent(c -> role(roles, c, "operationColumn"));
  }

  private static void identifier(String name, String what) {
    if (name == null) {
      throw new IllegalArgumentException(what + " is missing");
    }
    if (QUOTED.matcher(name).matches()) {
      return;
    }
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " must be an unquoted lower-case SQL identifier ([a-z_][a-z0-9_]{0,62})"
          + " or a quoted one (\"Name\")");
    }
    if (RESERVED.contains(name)) {
      throw new IllegalArgumentException(what + " '" + name + "' is a reserved SQL word; write it quoted: \"" + name
          + "\"");
    }
  }

  private static void role(Map<String, String> roles, String column, String what) {
    String other = roles.putIfAbsent(bare(column), what);
    if (other != null) {
      throw new IllegalArgumentException("column " + bare(column) + " cannot be both " + other + " and " + what);
    }
  }

  /** The name as the catalog spells it: without the quotes of a quoted identifier. */
  static String bare(String name) {
    return name.startsWith("\"") ? name.substring(1, name.length() - 1) : name;
  }

  /** The name quoted for SQL text (every generated statement quotes, so reserved words are safe). */
  static String quoted(String name) {
    return "\"" + bare(name) + "\"";
  }

  /** A mapping with columns {@code id}, {@code deleted_at}, {@code purge_after}; add the rest with the {@code with*} methods. */
  public static TableMapping of(DataClass dataClass, String table) {
    return new TableMapping(dataClass, table, "id", "deleted_at", "purge_after",
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public TableMapping withColumns(String id, String deletedAt, String purgeAfter) {
    return new TableMapping(dataClass, table, id, deletedAt, purgeAfter, subjectColumn, tenantColumn,
        eligibleAtColumn, operationColumn);
  }

  public TableMapping withSubject(String column) {
    return new TableMapping(dataClass, table, idColumn, deletedAtColumn, purgeAfterColumn, Optional.of(column),
        tenantColumn, eligibleAtColumn, operationColumn);
  }

  public TableMapping withTenant(String column) {
    return new TableMapping(dataClass, table, idColumn, deletedAtColumn, purgeAfterColumn, subjectColumn,
        Optional.of(column), eligibleAtColumn, operationColumn);
  }

  public TableMapping withEligibleAt(String column) {
    return new TableMapping(dataClass, table, idColumn, deletedAtColumn, purgeAfterColumn, subjectColumn,
        tenantColumn, Optional.of(column), operationColumn);
  }

  public TableMapping withOperation(String column) {
    return new TableMapping(dataClass, table, idColumn, deletedAtColumn, purgeAfterColumn, subjectColumn,
        tenantColumn, eligibleAtColumn, Optional.of(column));
  }
}
