package dev.bulwark.authz;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * A boolean SQL expression with {@code ?} placeholders and the values to bind to them, in order.
 * Splice {@link #sql()} into a {@code WHERE} clause (it is parenthesised) and bind with
 * {@link #bind}; the values are never part of the text.
 *
 * <pre>{@code
 * import java.sql.Connection;
 *
 * // Given: Authorizer authorizer, Principal user, String tenant, ResourceTable notes, Connection c, int offset
 * SqlPredicate p = authorizer.sqlFilter(user, "read", tenant, notes);
 * try (PreparedStatement ps = c.prepareStatement(
 *     "SELECT id, title FROM notes WHERE " + p.sql() + " ORDER BY id LIMIT ? OFFSET ?")) {
 *   int i = p.bind(ps, 1);
 *   ps.setInt(i++, 50);
 *   ps.setInt(i, offset);
 * }
 * }</pre>
 *
 * @param sql the expression
 * @param parameters the values, one per placeholder
 */
public record SqlPredicate(String sql, List<String> parameters) {

  /** Matches no row. */
  public static final SqlPredicate FALSE = new SqlPredicate("(FALSE)", List.of());

  public SqlPredicate {
    Objects.requireNonNull(sql, "sql");
    parameters = List.copyOf(parameters);
  }

  /** Binds the parameters from {@code firstIndex}; returns the next free index. */
  public int bind(PreparedStatement statement, int firstIndex) throws SQLException {
    int i = firstIndex;
    for (String p : parameters) {
      statement.setString(i++, p);
    }
    return i;
  }

  /** True when this predicate matches no row whatever the table holds. */
  public boolean matchesNothing() {
    return this.equals(FALSE);
  }
}
