package dev.bulwark.benchmarks.authn.sessions;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.SessionPolicy;
import dev.bulwark.authn.session.SessionToken;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.benchmarks.ComparedWith;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Session validation on PostgreSQL (127.0.0.1:5432/test as postgres, schema created and dropped
 * here) over one reused connection, as a pool would give. Compared with a raw primary-key
 * {@code SELECT} of the same row on the same connection: the database round trip is the cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SessionValidatePostgresBenchmark {

  private static final int SESSIONS = 256;

  private Connection connection;
  private String schema;
  private Sessions sessions;
  private String[] tokens;
  private byte[][] hashes;
  private PreparedStatement raw;
  private int next;

  @Setup
  public void setUp() throws Exception {
    PGSimpleDataSource admin = new PGSimpleDataSource();
    admin.setUrl(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    admin.setUser(System.getProperty("bulwark.pg.user", "postgres"));
    byte[] suffix = new byte[4];
    new SecureRandom().nextBytes(suffix);
    schema = "bench_authn_" + HexFormat.of().formatHex(suffix);
    connection = admin.getConnection();
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
      s.execute("SET search_path TO " + schema);
    }
    DataSource single = singleConnection(connection);
    Clock clock = Clock.systemUTC();
    sessions = Sessions.builder(new JdbcSessionStore(single)).policy(SessionPolicy.nist(AssuranceLevel.AAL1)).clock(clock).build();
    tokens = new String[SESSIONS];
    hashes = new byte[SESSIONS][];
    for (int i = 0; i < SESSIONS; i++) {
      tokens[i] = sessions.create("user-" + i, AssuranceLevel.AAL2, Map.of(Factor.PASSWORD, clock.instant())).token().reveal();
      hashes[i] = SessionToken.parse(tokens[i]).hash().bytes();
    }
    raw = connection.prepareStatement("SELECT session_id, user_id, aal, factors, auth_time, created_at, last_seen_at,"
        + " idle_nanos, absolute_deadline, elevated_aal, elevated_until FROM bulwark_authn_sessions WHERE token_hash = ?");
  }

  @TearDown
  public void tearDown() throws SQLException {
    raw.close();
    try (Statement s = connection.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
    connection.close();
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.sessions.SessionValidatePostgresBenchmark.rawPrimaryKeySelect")
  public Session validateOnPostgres() throws SessionException {
    next = (next + 1) % SESSIONS;
    return sessions.validate(tokens[next]);
  }

  /** Baseline: the same row by primary key with a prepared statement, values read, nothing else. */
  @Benchmark
  public long rawPrimaryKeySelect() throws SQLException {
    next = (next + 1) % SESSIONS;
    raw.setBytes(1, hashes[next]);
    try (ResultSet rs = raw.executeQuery()) {
      rs.next();
      return rs.getLong(5) + rs.getString(1).length();
    }
  }

  /** A DataSource that hands out one shared connection whose close() does nothing (a pool of one). */
  static DataSource singleConnection(Connection c) {
    Connection unclosable = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            return null;
          }
          try {
            return method.invoke(c, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getConnection")) {
            return unclosable;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }
}
