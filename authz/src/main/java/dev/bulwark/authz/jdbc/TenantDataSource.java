package dev.bulwark.authz.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Runs units of work for one organization on the host's {@link DataSource} (usually a pool):
 * each unit runs in its own transaction that first sets {@code app.tenant_id} with
 * {@code set_config(..., true)} (transaction-local), so the row-level security policies from
 * {@link RlsPolicies} confine every statement to that organization.
 *
 * <pre>{@code
 * import java.sql.PreparedStatement;
 * import java.sql.ResultSet;
 * import java.util.ArrayList;
 * import java.util.List;
 *
 * // Given: DataSource pool, String orgId
 * TenantDataSource tenants = new TenantDataSource(pool);
 * List<String> titles = tenants.inTenant(orgId, c -> {
 *   try (PreparedStatement ps = c.prepareStatement("SELECT title FROM notes ORDER BY id");
 *        ResultSet rs = ps.executeQuery()) {
 *     List<String> out = new ArrayList<>();
 *     while (rs.next()) {
 *       out.add(rs.getString(1));
 *     }
 *     return out;
 *   }
 * });
 * }</pre>
 *
 * <p>Guarantees: the unit of work gets a connection that refuses {@code setAutoCommit(true)},
 * {@code commit()}, {@code rollback()}, {@code close()} and {@code unwrap}, and stops working when
 * the unit ends; a unit that changed the setting itself (even with a session-wide {@code SET}) is
 * rolled back and fails, so what it read never reaches the caller; before the transaction
 * commits the setting is cleared at session level, so no organization is ever left on a pooled
 * connection; a unit that throws is rolled back, which undoes its settings too. There is
 * no way to run a statement through this class without an organization. Thread-safe.
 */
public final class TenantDataSource {

  private static final Pattern SETTING = Pattern.compile("[a-z_][a-z0-9_]{0,30}\\.[a-z_][a-z0-9_]{0,30}");

  /** One unit of work inside an organization's transaction. */
  @FunctionalInterface
  public interface UnitOfWork<T> {
    /**
     * Runs on a connection confined to the organization. MUST NOT keep the connection after
     * returning (it stops working). Exceptions roll the transaction back and reach the caller.
     */
    T run(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;
  private final String setting;
  private final String setAndRead;

  /** Sets {@value RlsPolicies#DEFAULT_SETTING}. */
  public TenantDataSource(DataSource dataSource) {
    this(dataSource, RlsPolicies.DEFAULT_SETTING);
  }

  public TenantDataSource(DataSource dataSource, String setting) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(setting, "setting");
    if (!SETTING.matcher(setting).matches()) {
      throw new IllegalArgumentException("setting must be a custom setting name like app.tenant_id");
    }
    this.setting = setting;
    this.setAndRead = "SELECT set_config('" + setting + "', ?, true); ";
  }

  /** The host's data source underneath (for the verifier and migrations, never for tenant data). */
  public DataSource underlying() {
    return dataSource;
  }

  /**
   * Runs {@code work} in one transaction confined to {@code tenant} and commits it.
   *
   * @throws IllegalArgumentException if the tenant is null, blank, longer than 256 characters or
   *     contains control characters
   * @throws SQLException from the database or the unit of work (the transaction is rolled back)
   */
  public <T> T inTenant(String tenant, UnitOfWork<T> work) throws SQLException {
    requireTenant(tenant);
    Objects.requireNonNull(work, "work");
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      if (!autoCommit) {
        // A pool may hand out a connection in manual-commit mode with a transaction still open
        // from a previous user: end it rather than run inside it.
        c.rollback();
      }
      c.setAutoCommit(false);
      Guard guard = new Guard(c);
      Connection confined = (Connection) Proxy.newProxyInstance(TenantDataSource.class.getClassLoader(),
          new Class<?>[] {Connection.class}, guard);
      boolean committed = false;
      try {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, true)")) {
          ps.setString(1, setting);
          ps.setString(2, tenant);
          ps.execute();
        }
        T result = work.run(confined);
        guard.closed = true;
        // One round trip: read the organization the unit ended with (it must be the one it was
        // given), then clear the setting at session level, so that even a unit that ran a
        // session-wide SET leaves nothing on the connection once the transaction commits.
        try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?, true), set_config(?, '', false)")) {
          ps.setString(1, setting);
          ps.setString(2, setting);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || !tenant.equals(rs.getString(1))) {
              throw new SQLException("the unit of work changed " + setting + "; its transaction was rolled back");
            }
          }
        }
        c.commit();
        committed = true;
        return result;
      } finally {
        guard.closed = true;
        if (!committed) {
          c.rollback();
        }
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /** Binds a query's own parameters, starting at {@code firstIndex}. */
  @FunctionalInterface
  public interface Binder {
    void bind(PreparedStatement statement, int firstIndex) throws SQLException;
  }

  /** Reads one row. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  private static final Pattern READ_ONLY_QUERY = Pattern.compile("(?is)\\s*(SELECT|WITH)\\s.*");

  /**
   * One read for {@code tenant} in a single round trip: the organization is set and the query
   * runs in one implicit transaction (one protocol Sync, auto-commit), so the setting ends with
   * it. For list pages, where the round trips of {@link #inTenant} would cost more than the
   * query. The query is one {@code SELECT} (or {@code WITH ... SELECT}) without {@code ;}; its
   * parameters are bound by {@code binder} from index 2. Should the driver ever split the two
   * statements into two transactions, the query runs without an organization and returns no
   * rows: it fails closed.
   *
   * @throws IllegalArgumentException for a missing organization or a query that is not one SELECT
   */
  public <T> java.util.List<T> query(String tenant, String sql, Binder binder, RowMapper<T> mapper)
      throws SQLException {
    requireTenant(tenant);
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(binder, "binder");
    Objects.requireNonNull(mapper, "mapper");
    if (sql.indexOf(';') >= 0 || !READ_ONLY_QUERY.matcher(sql).matches()) {
      throw new IllegalArgumentException("query() takes one SELECT statement without ';'");
    }
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      // The trailing statement clears the setting at session level in the same transaction, in
      // case the query itself called set_config(..., false): nothing is left on the connection.
      try (PreparedStatement ps = c.prepareStatement(setAndRead + sql + "; SELECT set_config('" + setting
          + "', '', false)")) {
        ps.setString(1, tenant);
        binder.bind(ps, 2);
        ps.execute();
        if (!ps.getMoreResults()) {
          throw new SQLException("the query returned no result set");
        }
        java.util.List<T> out = new java.util.ArrayList<>();
        try (ResultSet rs = ps.getResultSet()) {
          while (rs.next()) {
            out.add(mapper.map(rs));
          }
        }
        ps.getMoreResults();
        return out;
      }
    }
  }

  static void requireTenant(String tenant) {
    if (tenant == null || tenant.isBlank() || tenant.length() > 256) {
      throw new IllegalArgumentException("a unit of work needs an organization id of 1 to 256 characters");
    }
    for (int i = 0; i < tenant.length(); i++) {
      if (Character.isISOControl(tenant.charAt(i))) {
        throw new IllegalArgumentException("organization id must not contain control characters");
      }
    }
  }

  /** Forwards to the real connection except what would end, escape or outlive the transaction. */
  private static final class Guard implements InvocationHandler {
    private final Connection target;
    volatile boolean closed;

    Guard(Connection target) {
      this.target = target;
    }

    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
      String name = m.getName();
      switch (name) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return "TenantDataSource connection" + (closed ? " (closed)" : "");
        case "isClosed":
          return closed || target.isClosed();
        default:
          break;
      }
      if (closed) {
        throw new SQLException("this connection belonged to a finished unit of work");
      }
      switch (name) {
        case "setAutoCommit":
          if (Boolean.TRUE.equals(args[0])) {
            throw new SQLException("a tenant unit of work runs in one transaction; autocommit is refused");
          }
          return null;
        case "commit":
        case "close":
        case "unwrap":
        case "abort":
        case "setSchema":
          throw new SQLException(name + " is not available inside a tenant unit of work");
        case "rollback":
          if (args == null || args.length == 0) {
            throw new SQLException("rollback is not available inside a tenant unit of work; throw instead");
          }
          break;
        case "isWrapperFor":
          return false;
        default:
          break;
      }
      try {
        return m.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}
