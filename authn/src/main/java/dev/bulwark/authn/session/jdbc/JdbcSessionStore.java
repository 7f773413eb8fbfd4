package dev.bulwark.authn.session.jdbc;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.internal.AuthnSchema;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * {@link SessionStore} on PostgreSQL (standard JDBC; no driver dependency). Creates its tables on
 * first use:
 *
 * <ul>
 *   <li>{@code bulwark_authn_session_users(user_id)}: one row per user, locked with
 *       {@code SELECT ... FOR UPDATE} while a login counts and inserts, so two nodes serialise on
 *       the same user and never exceed the limit;
 *   <li>{@code bulwark_authn_sessions}: one row per session, primary key the SHA-256 of the token;
 *       the session's authorities in a {@code text[]} column (empty for rows of earlier releases).
 * </ul>
 *
 * <p>A login, a rotation and {@link #deleteAll} lock the user's row first, so revoking every
 * session of a user cannot miss a session that a rotation is writing at the same moment.
 *
 * <p>Instants are stored as {@code timestamptz}, truncated to the microsecond (as are the factor
 * times in the {@code factors} column); durations as nanoseconds. The tables come from the
 * module's migrations ({@code db/migration/bulwark-authn/}), applied on start unless built with
 * {@link Builder#createSchema createSchema(false)}.
 *
 * <p>Thread-safe; each call uses its own connection. SQL failures are rethrown as
 * {@link AuthnStoreException} with the cause, after rolling back.
 */
public final class JdbcSessionStore implements SessionStore {

  private static final String COLUMNS =
      "token_hash, session_id, user_id, aal, factors, auth_time, created_at, last_seen_at, idle_nanos,"
          + " absolute_deadline, elevated_aal, elevated_until, authorities";

  /** The tables and columns this store reads, with the module's migrations. */
  static final JdbcSchema SCHEMA = AuthnSchema.builder()
      .table("bulwark_authn_session_users", "user_id varchar")
      .table("bulwark_authn_sessions", "token_hash bytea", "session_id varchar", "user_id varchar", "aal varchar",
          "factors varchar", "auth_time timestamptz", "created_at timestamptz", "last_seen_at timestamptz",
          "idle_nanos int8", "absolute_deadline timestamptz", "elevated_aal varchar", "elevated_until timestamptz",
          "authorities _text")
      .build();

  private final DataSource dataSource;
  private final Jdbc jdbc;

  /**
   * Uses {@code dataSource}; applies the module's migrations if needed (see
   * {@link Builder#createSchema}).
   *
   * @throws AuthnStoreException if the tables cannot be made or read
   */
  public JdbcSessionStore(DataSource dataSource) {
    this(builder(dataSource));
  }

  private JdbcSessionStore(Builder b) {
    this.jdbc = AuthnSchema.open(b, SCHEMA);
    this.dataSource = b.dataSource();
  }

  /** A builder; {@code createSchema} is optional. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Settings of a {@link JdbcSessionStore} (see {@link JdbcStoreBuilder#createSchema}). */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcSessionStore> {
    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /** @throws AuthnStoreException if the tables cannot be made, are missing or have other columns */
    @Override
    public JdbcSessionStore build() {
      return new JdbcSessionStore(this);
    }
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
      lockUser(c, session.userId());
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
        "INSERT INTO bulwark_authn_sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      p.setBytes(1, hash.bytes());
      p.setString(2, s.id());
      p.setString(3, s.userId());
      p.setString(4, s.assuranceLevel().name());
      p.setString(5, encodeFactors(s));
      Timestamps.set(p, 6, s.authTime());
      Timestamps.set(p, 7, s.createdAt());
      Timestamps.set(p, 8, s.lastSeenAt());
      p.setLong(9, s.idleTimeout().toNanos());
      Timestamps.set(p, 10, s.absoluteDeadline());
      if (s.elevation().isPresent()) {
        p.setString(11, s.elevation().get().level().name());
        Timestamps.set(p, 12, s.elevation().get().until());
      } else {
        p.setNull(11, java.sql.Types.VARCHAR);
        Timestamps.set(p, 12, null);
      }
      java.sql.Array authorities = c.createArrayOf("text", s.authorities().toArray(new String[0]));
      try {
        p.setArray(13, authorities);
        p.executeUpdate();
      } finally {
        authorities.free();
      }
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
      throw new AuthnStoreException("session lookup failed", e);
    }
  }

  @Override
  public boolean touch(TokenHash hash, Instant at) {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(at, "at");
    try (Connection c = dataSource.getConnection();
        PreparedStatement u = c.prepareStatement(
            "UPDATE bulwark_authn_sessions SET last_seen_at = GREATEST(last_seen_at, ?) WHERE token_hash = ?")) {
      Timestamps.set(u, 1, at);
      u.setBytes(2, hash.bytes());
      return u.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new AuthnStoreException("session touch failed", e);
    }
  }

  @Override
  public boolean replace(TokenHash oldHash, TokenHash newHash, Session session) {
    Objects.requireNonNull(oldHash, "oldHash");
    Objects.requireNonNull(newHash, "newHash");
    Objects.requireNonNull(session, "session");
    return inTransaction(c -> {
      lockUser(c, session.userId());
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

  /**
   * Deletes every session of {@code userId} under the user's row lock, the lock a login and a
   * rotation take too: a rotation committed before this call is deleted with the rest, one after
   * it finds its old token gone, so no session of the user outlives the call.
   */
  @Override
  public List<Session> deleteAll(String userId) {
    Objects.requireNonNull(userId, "userId");
    return inTransaction(c -> {
      lockUser(c, userId);
      List<Session> out = new ArrayList<>();
      try (PreparedStatement d = c.prepareStatement(
          "DELETE FROM bulwark_authn_sessions WHERE user_id = ? RETURNING " + COLUMNS)) {
        d.setString(1, userId);
        try (ResultSet rs = d.executeQuery()) {
          while (rs.next()) {
            out.add(read(rs));
          }
        }
      }
      return out;
    });
  }

  /** Locks {@code userId}'s row of {@code bulwark_authn_session_users} (absent: nothing to lock). */
  private static void lockUser(Connection c, String userId) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement(
        "SELECT user_id FROM bulwark_authn_session_users WHERE user_id = ? FOR UPDATE")) {
      lock.setString(1, userId);
      lock.executeQuery().close();
    }
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
      Timestamps.set(q, 2, now);
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
      throw new AuthnStoreException("session list failed", e);
    }
  }

  /** Deletes sessions whose absolute deadline is at or before {@code now}; returns how many. */
  public int purgeExpired(Instant now) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement d = c.prepareStatement(
            "DELETE FROM bulwark_authn_sessions WHERE absolute_deadline <= ?"
                + " OR last_seen_at + div(idle_nanos, 1000) * interval '1 microsecond' <= ?")) {
      Timestamps.set(d, 1, now);
      Timestamps.set(d, 2, now);
      return d.executeUpdate();
    } catch (SQLException e) {
      throw new AuthnStoreException("session purge failed", e);
    }
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement p) throws SQLException;
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
      throw new AuthnStoreException("session delete failed", e);
    }
  }

  private <T> T inTransaction(Jdbc.Work<T> work) {
    return jdbc.inTransaction("session store transaction", work);
  }

  private static Session read(ResultSet rs) throws SQLException {
    String elevatedAal = rs.getString(11);
    Optional<Session.Elevation> elevation = elevatedAal == null
        ? Optional.empty()
        : Optional.of(new Session.Elevation(AssuranceLevel.valueOf(elevatedAal), Timestamps.get(rs, 12)));
    return new Session(
        rs.getString(2),
        rs.getString(3),
        AssuranceLevel.valueOf(rs.getString(4)),
        decodeFactors(rs.getString(5)),
        Timestamps.get(rs, 6),
        Timestamps.get(rs, 7),
        Timestamps.get(rs, 8),
        Duration.ofNanos(rs.getLong(9)),
        Timestamps.get(rs, 10),
        elevation,
        decodeFactorLevels(rs.getString(5)),
        readAuthorities(rs, 13));
  }

  /** The {@code authorities} array; a row of an earlier release has the column's empty default. */
  private static Set<String> readAuthorities(ResultSet rs, int column) throws SQLException {
    java.sql.Array array = rs.getArray(column);
    if (array == null) {
      return Set.of();
    }
    try {
      Object[] names = (Object[]) array.getArray();
      Set<String> out = new HashSet<>();
      for (Object name : names) {
        if (!(name instanceof String text) || !out.add(text)) {
          throw new AuthnStoreException("corrupt authorities column");
        }
      }
      return Session.checkAuthorities(out);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new AuthnStoreException("corrupt authorities column", e);
    } finally {
      array.free();
    }
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
      sb.append(f.name()).append('=').append(nanos(Timestamps.truncate(t))).append('@')
          .append(s.provenLevel(f).orElseThrow().name());
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
        throw new AuthnStoreException("corrupt factors column");
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
        throw new AuthnStoreException("corrupt factors column");
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
