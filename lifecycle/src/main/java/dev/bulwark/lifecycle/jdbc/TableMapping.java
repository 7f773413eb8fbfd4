package dev.bulwark.lifecycle.jdbc;

import dev.bulwark.lifecycle.DataClass;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the records of one {@link DataClass} live in a host's own table: which columns hold the
 * id and the lifecycle marks. The host adds the lifecycle columns to its table (see the module
 * README for the DDL, including the partial unique index for soft-deleted rows);
 * {@link JdbcLifecycleStore} checks them against the database when it is built.
 *
 * <p>Names are unquoted lower-case SQL identifiers ({@code [a-z_][a-z0-9_]{0,62}}), resolved in
 * the connection's current schema.
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
  }

  private static void identifier(String name, String what) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " must be an unquoted lower-case SQL identifier ([a-z_][a-z0-9_]{0,62})");
    }
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
