package dev.bulwark.authn.session.jdbc;

import dev.bulwark.authn.internal.Schema;
import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.session.LimitAction;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.TokenHash;
import dev.bulwark.authn.session.spi.SessionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link SessionStore} on PostgreSQL (standard JDBC; no driver dependency). Creates its tables on
 * first use:
 *
 * <ul>
 *   <li>{@code bulwark_authn_session_users(user_id)}: one row per user, locked with
 *       {@code SELECT ... FOR UPDATE} while a login counts and inserts, so two nodes serialise on
 *       the same user and never exceed the limit;
 *   <li>{@code bulwark_authn_sessions}: one row per session, primary key the SHA-256 of the token.
 * </ul>
 *
 * <p>Instants are stored as nanoseconds since the epoch ({@code bigint}), so they round-trip
 * exactly. Thread-safe; each call uses its own connection. SQL failures are rethrown as
 * {@link IllegalStateException} with the cause, after rolling back.
 */
public final class JdbcSessionStore implements SessionStore {

  private static final String COLUMNS =
      "token_hash, session_id, user_id, aal, factors, auth_time, created_at, last_seen_at, idle_nanos,"
          + " absolute_deadline, elevated_aal, elevated_until";

  private final DataSource dataSource;

  /** Uses {@code dataSource} and creates the tables if they do not exist. */
  public JdbcSessionStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    createSchema();
  }

  private void createSchema() {
    Schema.create(dataSource, "the session tables", List.of(
        "CREATE TABLE IF NOT EXISTS bulwark_authn_session_users (user_id varchar(255) PRIMARY KEY)",
        "CREATE TABLE IF NOT EXISTS bulwark_authn_sessions ("
          + " token_hash bytea PRIMARY KEY,"
          + " session_id varchar(64) NOT NULL UNIQUE,"
          + " user_id varchar(255) NOT NULL,"
          + " aal varchar(8) NOT NULL,"
          + " factors varchar(512) NOT NULL,"
          + " auth_time bigint NOT NULL,"
          + " created_at bigint NOT NULL,"
          + " last_seen_at bigint NOT NULL,"
          + " idle_nanos bigint NOT NULL,"
          + " absolute_deadline bigint NOT NULL,"
          + " elevated_aal varchar(8),"
          + " elevated_until bigint)",
        "CREATE INDEX IF NOT EXISTS bulwark_authn_sessions_user ON bulwark_authn_sessions (user_id)"),
        "SELECT " + COLUMNS + " FROM bulwark_authn_sessions"
            + " WHERE EXISTS (SELECT user_id FROM bulwark_authn_session_users WHERE 1 = 0)");
  }

  @Override
  public CreateResult create(TokenHash hash, Session session, int max, LimitAction onLimit, Instant now) {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(onLimit, "onLimit");
    Objects.requireNonNull(now, "now");
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1");
    }
    return inTransaction(c -> {
      try (PreparedStatement ins = c.prepareStatement(
          "INSERT INTO bulwark_authn_session_users (user_id) VALUES (?) ON CONFLICT DO NOTHING")) {
        ins.setString(1, session.userId());
        ins.executeUpdate();
      }
      try (PreparedStatement lock = c.prepareStatement(
          "SELECT user_id FROM bulwark_authn_session_users WHERE user_id = ? FOR UPDATE")) {
        lock.setString(1, session.userId());
        lock.executeQuery().close();
      }
      List<Row> rows = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM bulwark_authn_sessions WHERE user_id = ? ORDER BY created_at, session_id")) {
        q.setString(1, session.userId());
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            rows.add(new Row(rs.getBytes(1), read(rs)));
          }
        }
      }
      List<Row> live = new ArrayList<>();
      for (Row r : rows) {
        if (r.session.isLiveAt(now)) {
          live.add(r);
        } else {
          deleteHash(c, r.hash);
        }
      }
      List<Session> evicted = new ArrayList<>();
      if (live.size() >= max) {
        if (onLimit == LimitAction.REJECT_NEW) {
          return new CreateResult(false, List.of());
        }
        int toEvict = live.size() - max + 1;
        for (int i = 0; i < toEvict; i++) {
          deleteHash(c, live.get(i).hash);
          evicted.add(live.get(i).session);
        }
      }
      insert(c, hash, session);
      return new CreateResult(true, evicted);
    });
  }

  private record Row(byte[] hash, Session session) {}

  private static void deleteHash(Connection c, byte[] hash) throws SQLException {
    try (PreparedStatement d = c.prepareStatement("DELETE FROM bulwark_authn_sessions WHERE token_hash = ?")) {
      d.setBytes(1, hash);
      d.executeUpdate();
    }
  }

  private static void insert(Connection c, TokenHash hash, Session s) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(
        "INSERT INTO bulwark_authn_sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      p.setBytes(1, hash.bytes());
      p.setString(2, s.id());
      p.setString(3, s.userId());
      p.setString(4, s.assuranceLevel().name());
      p.setString(5, encodeFactors(s));
      p.setLong(6, nanos(s.authTime()));
      p.setLong(7, nanos(s.createdAt()));
      p.setLong(8, nanos(s.lastSeenAt()));
      p.setLong(9, s.idleTimeout().toNanos());
      p.setLong(10, nanos(s.absoluteDeadline()));
      if (s.elevation().isPresent()) {
        p.setString(11, s.elevation().get().level().name());
        p.setLong(12, nanos(s.elevation().get().until()));
      } else {
        p.setNull(11, java.sql.Types.VARCHAR);
        p.setNull(12, java.sql.Types.BIGINT);
      }
      p.executeUpdate();
    }
  }

  @Override
  public Optional<Session> find(TokenHash hash) {
    Objects.requireNonNull(hash, "hash");
    try (Connection c = dataSource.getConnection();
        PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM bulwark_authn_sessions WHERE token_hash = ?")) {
      q.setBytes(1, hash.bytes());
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("session lookup failed", e);
    }
  }

  @Override
  public boolean touch(TokenHash hash, Instant at) {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(at, "at");
    try (Connection c = dataSource.getConnection();
        PreparedStatement u = c.prepareStatement(
            "UPDATE bulwark_authn_sessions SET last_seen_at = GREATEST(last_seen_at, ?) WHERE token_hash = ?")) {
      u.setLong(1, nanos(at));
      u.setBytes(2, hash.bytes());
      return u.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("session touch failed", e);
    }
  }

  @Override
  public boolean replace(TokenHash oldHash, TokenHash newHash, Session session) {
    Objects.requireNonNull(oldHash, "oldHash");
    Objects.requireNonNull(newHash, "newHash");
    Objects.requireNonNull(session, "session");
    return inTransaction(c -> {
      try (PreparedStatement d = c.prepareStatement(
          "DELETE FROM bulwark_authn_sessions WHERE token_hash = ? AND user_id = ?")) {
        d.setBytes(1, oldHash.bytes());
        d.setString(2, session.userId());
        if (d.executeUpdate() != 1) {
          return false;
        }
      }
      insert(c, newHash, session);
      return true;
    });
  }

  @Override
  public Optional<Session> delete(TokenHash hash) {
    Objects.requireNonNull(hash, "hash");
    return deleteWhere("token_hash = ?", p -> p.setBytes(1, hash.bytes())).stream().findFirst();
  }

  @Override
  public Optional<Session> deleteById(String userId, String sessionId) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(sessionId, "sessionId");
    return deleteWhere("user_id = ? AND session_id = ?", p -> {
      p.setString(1, userId);
      p.setString(2, sessionId);
    }).stream().findFirst();
  }

  @Override
  public List<Session> deleteAll(String userId) {
    Objects.requireNonNull(userId, "userId");
    return deleteWhere("user_id = ?", p -> p.setString(1, userId));
  }

  @Override
  public List<Session> list(String userId, Instant now) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(now, "now");
    List<Session> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS
            + " FROM bulwark_authn_sessions WHERE user_id = ? AND absolute_deadline > ?"
            + " ORDER BY created_at, session_id")) {
      q.setString(1, userId);
      q.setLong(2, nanos(now));
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          Session s = read(rs);
          if (s.isLiveAt(now)) {
            out.add(s);
          }
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("session list failed", e);
    }
  }

  /** Deletes sessions whose absolute deadline is at or before {@code now}; returns how many. */
  public int purgeExpired(Instant now) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement d = c.prepareStatement(
            "DELETE FROM bulwark_authn_sessions WHERE absolute_deadline <= ? OR last_seen_at + idle_nanos <= ?")) {
      d.setLong(1, nanos(now));
      d.setLong(2, nanos(now));
      return d.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("session purge failed", e);
    }
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement p) throws SQLException;
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private List<Session> deleteWhere(String where, Binder binder) {
    List<Session> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement d = c.prepareStatement(
            "DELETE FROM bulwark_authn_sessions WHERE " + where + " RETURNING " + COLUMNS)) {
      binder.bind(d);
      try (ResultSet rs = d.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("session delete failed", e);
    }
  }

  private <T> T inTransaction(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("session store transaction failed", e);
    }
  }

  private static Session read(ResultSet rs) throws SQLException {
    String elevatedAal = rs.getString(11);
    long elevatedUntil = rs.getLong(12);
    Optional<Session.Elevation> elevation = elevatedAal == null
        ? Optional.empty()
        : Optional.of(new Session.Elevation(AssuranceLevel.valueOf(elevatedAal), instant(elevatedUntil)));
    return new Session(
        rs.getString(2),
        rs.getString(3),
        AssuranceLevel.valueOf(rs.getString(4)),
        decodeFactors(rs.getString(5)),
        instant(rs.getLong(6)),
        instant(rs.getLong(7)),
        instant(rs.getLong(8)),
        Duration.ofNanos(rs.getLong(9)),
        instant(rs.getLong(10)),
        elevation,
        decodeFactorLevels(rs.getString(5)));
  }

  /**
   * {@code NAME=nanos@LEVEL,...}: each factor, when it was verified and the level it proved. Rows
   * written before levels were recorded have no {@code @LEVEL}; their factors read at
   * {@link Session#defaultLevel}.
   */
  static String encodeFactors(Session s) {
    StringBuilder sb = new StringBuilder();
    s.factors().forEach((f, t) -> {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(f.name()).append('=').append(nanos(t)).append('@').append(s.provenLevel(f).orElseThrow().name());
    });
    return sb.toString();
  }

  static Map<Factor, AssuranceLevel> decodeFactorLevels(String text) {
    Map<Factor, AssuranceLevel> out = new EnumMap<>(Factor.class);
    if (text.isEmpty()) {
      return out;
    }
    for (String part : text.split(",", -1)) {
      int eq = part.indexOf('=');
      int at = part.indexOf('@');
      if (eq <= 0) {
        throw new IllegalStateException("corrupt factors column");
      }
      if (at > eq) {
        out.put(Factor.valueOf(part.substring(0, eq).toUpperCase(Locale.ROOT)),
            AssuranceLevel.valueOf(part.substring(at + 1).toUpperCase(Locale.ROOT)));
      }
    }
    return out;
  }

  static Map<Factor, Instant> decodeFactors(String text) {
    Map<Factor, Instant> out = new EnumMap<>(Factor.class);
    if (text.isEmpty()) {
      return out;
    }
    for (String part : text.split(",", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalStateException("corrupt factors column");
      }
      int at = part.indexOf('@');
      String time = at > eq ? part.substring(eq + 1, at) : part.substring(eq + 1);
      out.put(Factor.valueOf(part.substring(0, eq).toUpperCase(Locale.ROOT)), instant(Long.parseLong(time)));
    }
    return out;
  }

  static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  @Override
  public String toString() {
    return "JdbcSessionStore";
  }
}
