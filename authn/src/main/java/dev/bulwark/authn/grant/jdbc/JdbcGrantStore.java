package dev.bulwark.authn.grant.jdbc;

import dev.bulwark.authn.internal.AuthnSchema;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;

import dev.bulwark.authn.grant.Grant;
import dev.bulwark.authn.grant.GrantState;
import dev.bulwark.authn.grant.spi.GrantStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link GrantStore} on PostgreSQL (table {@code bulwark_authn_grants}, created on first use).
 * Transitions are {@code UPDATE ... WHERE id = ? AND state = ?}: a compare-and-set in the database,
 * so two nodes deciding on one grant produce one decision. Thread-safe.
 */
public final class JdbcGrantStore implements GrantStore {

  private static final String COLUMNS = "id, subject, target, justification, duration_nanos, state, requested_at,"
      + " decided_by, decided_at, active_from, active_until";

  private final Jdbc jdbc;

  /** The table and columns this store reads, with the module's migrations. */
  static final JdbcSchema SCHEMA = AuthnSchema.builder()
      .table("bulwark_authn_grants", "id varchar", "subject varchar", "target varchar", "justification varchar",
          "duration_nanos int8", "state varchar", "requested_at timestamptz", "decided_by varchar",
          "decided_at timestamptz", "active_from timestamptz", "active_until timestamptz")
      .build();

  /**
   * Applies the module's migrations if needed (see {@link Builder#createSchema}).
   *
   * @throws dev.bulwark.authn.AuthnStoreException if the table cannot be made or read
   */
  public JdbcGrantStore(DataSource dataSource) {
    this(builder(dataSource));
  }

  private JdbcGrantStore(Builder b) {
    this.jdbc = AuthnSchema.open(b, SCHEMA);
  }

  /** A builder; {@code createSchema} is optional. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Settings of a {@link JdbcGrantStore} (see {@link JdbcStoreBuilder#createSchema}). */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcGrantStore> {
    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /** @throws dev.bulwark.authn.AuthnStoreException if the table cannot be made, are missing or differ */
    @Override
    public JdbcGrantStore build() {
      return new JdbcGrantStore(this);
    }
  }

  @Override
  public void insert(Grant g) {
    Objects.requireNonNull(g, "grant");
    jdbc.run("grant insert", c -> {
      try (PreparedStatement p = c.prepareStatement("INSERT INTO bulwark_authn_grants (" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
        p.setString(1, g.id());
        p.setString(2, g.subject());
        p.setString(3, g.target());
        p.setString(4, g.justification());
        p.setLong(5, g.duration().toNanos());
        p.setString(6, g.state().name());
        Timestamps.set(p, 7, g.requestedAt());
        bindTail(p, 8, g);
        if (p.executeUpdate() != 1) {
          throw new IllegalArgumentException("grant id already exists");
        }
      }
      return null;
    });
  }

  private static void bindTail(PreparedStatement p, int i, Grant g) throws SQLException {
    if (g.decidedBy().isPresent()) {
      p.setString(i, g.decidedBy().get());
    } else {
      p.setNull(i, Types.VARCHAR);
    }
    optionalInstant(p, i + 1, g.decidedAt());
    optionalInstant(p, i + 2, g.activeFrom());
    optionalInstant(p, i + 3, g.activeUntil());
  }

  private static void optionalInstant(PreparedStatement p, int i, Optional<Instant> t) throws SQLException {
    Timestamps.set(p, i, t.orElse(null));
  }

  @Override
  public Optional<Grant> find(String id) {
    Objects.requireNonNull(id, "id");
    List<Grant> out = query("SELECT " + COLUMNS + " FROM bulwark_authn_grants WHERE id = ?", p -> p.setString(1, id));
    return out.stream().findFirst();
  }

  @Override
  public boolean transition(GrantState expected, Grant next) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(next, "next");
    return jdbc.run("grant transition", c -> {
      try (PreparedStatement p = c.prepareStatement("UPDATE bulwark_authn_grants SET state = ?, decided_by = ?,"
          + " decided_at = ?, active_from = ?, active_until = ? WHERE id = ? AND state = ? AND subject = ?")) {
        p.setString(1, next.state().name());
        bindTail(p, 2, next);
        p.setString(6, next.id());
        p.setString(7, expected.name());
        p.setString(8, next.subject());
        return p.executeUpdate() == 1;
      }
    });
  }

  @Override
  public List<Grant> forSubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    return query("SELECT " + COLUMNS + " FROM bulwark_authn_grants WHERE subject = ? ORDER BY requested_at, id",
        p -> p.setString(1, subject));
  }

  @Override
  public List<Grant> due(Instant now, Instant pendingRequestedBefore, int limit) {
    return query("SELECT " + COLUMNS + " FROM bulwark_authn_grants WHERE (state = 'APPROVED' AND active_until <= ?)"
        + " OR (state = 'PENDING' AND requested_at <= ?) ORDER BY requested_at, id LIMIT ?", p -> {
          Timestamps.set(p, 1, now);
          Timestamps.set(p, 2, pendingRequestedBefore);
          p.setInt(3, limit);
        });
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement p) throws SQLException;
  }

  private List<Grant> query(String sql, Binder binder) {
    return jdbc.run("grant query", c -> {
      try (PreparedStatement p = c.prepareStatement(sql)) {
        binder.bind(p);
        List<Grant> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            out.add(read(rs));
          }
        }
        return out;
      }
    });
  }

  private static Grant read(ResultSet rs) throws SQLException {
    return new Grant(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
        Duration.ofNanos(rs.getLong(5)), GrantState.valueOf(rs.getString(6)), Timestamps.get(rs, 7),
        Optional.ofNullable(rs.getString(8)), optInstant(rs, 9), optInstant(rs, 10), optInstant(rs, 11));
  }

  private static Optional<Instant> optInstant(ResultSet rs, int i) throws SQLException {
    return Optional.ofNullable(Timestamps.get(rs, i));
  }
}
