package dev.bulwark.benchmarks.authz;

import dev.bulwark.authz.jdbc.RlsPolicies;
import dev.bulwark.authz.jdbc.RlsVerifier;
import dev.bulwark.authz.jdbc.TenantDataSource;
import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.testing.pg.TestPool;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One page of 50 rows of one organization from a 1,000,000-row table (1,000 organizations, an
 * index on {@code (tenant_id, id)}) on PostgreSQL (127.0.0.1:5432/test, or
 * {@code -Dbulwark.pg.url}): through {@link TenantDataSource} as a non-owner application role
 * with the generated row-level security policies (a transaction that sets the organization, the
 * query without any WHERE, the check-and-clear statement, commit) against the same query with a
 * hand-written {@code WHERE tenant_id = ?} on one auto-commit connection as the table owner (no
 * RLS); and through {@link TenantDataSource#query}, which sends the organization and the query in
 * one round trip. Both run over a kept connection; rows are read and counted (a short page fails the run).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(1)
public class TenantPageBenchmark {

  static final int ROWS = 1_000_000;
  static final int TENANTS = 1_000;

  private String schema;
  private String role;
  private PGSimpleDataSource admin;
  private TestPool ownerPool;
  private TestPool appPool;
  private TenantDataSource tenants;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    byte[] b = new byte[5];
    new SecureRandom().nextBytes(b);
    String suffix = HexFormat.of().formatHex(b);
    schema = "bench_authz_" + suffix;
    role = "bench_authz_app_" + suffix;
    admin = new PGSimpleDataSource();
    admin.setUrl(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    admin.setUser(System.getProperty("bulwark.pg.user", "postgres"));
    PGSimpleDataSource owner = new PGSimpleDataSource();
    owner.setUrl(admin.getUrl());
    owner.setUser(admin.getUser());
    owner.setCurrentSchema(schema);
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
      s.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS");
    }
    ownerPool = TestPool.growing(owner);
    try (Connection c = ownerPool.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id bigint PRIMARY KEY, tenant_id text NOT NULL, title text NOT NULL)");
      s.execute("INSERT INTO items SELECT g, 'org-' || (g % " + TENANTS + "), 'item ' || g"
          + " FROM generate_series(1, " + ROWS + ") g");
      s.execute("CREATE INDEX items_tenant ON items (tenant_id, id)");
      for (String sql : RlsPolicies.forTable("items", "tenant_id").statements()) {
        s.execute(sql);
      }
      s.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
      s.execute("GRANT SELECT ON items TO " + role);
      s.execute("VACUUM ANALYZE items");
    }
    PGSimpleDataSource app = new PGSimpleDataSource();
    app.setUrl(admin.getUrl());
    app.setUser(role);
    app.setCurrentSchema(schema);
    RlsVerifier.requireSafe(app, List.of("items"));
    appPool = TestPool.growing(app);
    tenants = new TenantDataSource(appPool);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    ownerPool.close();
    appPool.close();
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
      s.execute("DROP OWNED BY " + role);
      s.execute("DROP ROLE " + role);
    }
  }

  private static String tenant() {
    return "org-" + ThreadLocalRandom.current().nextInt(TENANTS);
  }

  private static long page(PreparedStatement ps) throws SQLException {
    long sum = 0;
    int n = 0;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        sum += rs.getLong(1) + rs.getString(2).length();
        n++;
      }
    }
    if (n != 50) {
      throw new IllegalStateException("a page held " + n + " rows");
    }
    return sum;
  }

  @Benchmark
  public long handWrittenWhere() throws SQLException {
    try (Connection c = ownerPool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, title FROM items WHERE tenant_id = ? ORDER BY id LIMIT 50")) {
      ps.setString(1, tenant());
      return page(ps);
    }
  }

  /** {@link TenantDataSource#query}: the organization and the query in one round trip. */
  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authz.TenantPageBenchmark.handWrittenWhere")
  public long tenantQueryWithRls() throws SQLException {
    List<Long> ids = tenants.query(tenant(), "SELECT id, title FROM items ORDER BY id LIMIT 50", (ps, i) -> { },
        rs -> rs.getLong(1) + rs.getString(2).length());
    if (ids.size() != 50) {
      throw new IllegalStateException("a page held " + ids.size() + " rows");
    }
    long sum = 0;
    for (long v : ids) {
      sum += v;
    }
    return sum;
  }

  /** {@link TenantDataSource#inTenant}: a unit of work (three round trips). */
  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authz.TenantPageBenchmark.handWrittenWhere")
  public long tenantDataSourceWithRls() throws SQLException {
    return tenants.inTenant(tenant(), c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, title FROM items ORDER BY id LIMIT 50")) {
        return page(ps);
      }
    });
  }
}
