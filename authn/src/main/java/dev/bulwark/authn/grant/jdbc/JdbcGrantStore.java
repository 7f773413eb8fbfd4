package dev.bulwark.authn.grant.jdbc;

import dev.bulwark.authn.internal.Schema;
import static dev.bulwark.authn.session.internal.Jdbc.instant;
import static dev.bulwark.authn.session.internal.Jdbc.nanos;

import dev.bulwark.authn.grant.Grant;
import dev.bulwark.authn.grant.GrantState;
import dev.bulwark.authn.grant.spi.GrantStore;
import dev.bulwark.authn.session.internal.Jdbc;
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

  private final DataSource dataSource;

  public JdbcGrantStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    Schema.create(dataSource, "the grant table", List.of(
        "CREATE TABLE IF NOT EXISTS bulwark_authn_grants ("
            + " id varchar(64) PRIMARY KEY, subject varchar(255) NOT NULL, target varchar(255) NOT NULL,"
            + " justification varchar(1000) NOT NULL, duration_nanos bigint NOT NULL, state varchar(16) NOT NULL,"
            + " requested_at bigint NOT NULL, decided_by varchar(255), decided_at bigint,"
            + " active_from bigint, active_until bigint)",
        "CREATE INDEX IF NOT EXISTS bulwark_authn_grants_subject ON bulwark_authn_grants (subject)",
        "CREATE INDEX IF NOT EXISTS bulwark_authn_grants_state ON bulwark_authn_grants (state)"),
        "SELECT " + COLUMNS + " FROM bulwark_authn_grants WHERE 1 = 0");
  }

  @Override
  public void insert(Grant g) {
    Objects.requireNonNull(g, "grant");
    Jdbc.run(dataSource, "grant insert", c -> {
      try (PreparedStatement p = c.prepareStatement("INSERT INTO bulwark_authn_grants (" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
        p.setString(1, g.id());
        p.setString(2, g.subject());
        p.setString(3, g.target());
        p.setString(4, g.justification());
        p.setLong(5, g.duration().toNanos());
        p.setString(6, g.state().name());
        p.setLong(7, nanos(g.requestedAt()));
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
    if (t.isPresent()) {
      p.setLong(i, nanos(t.get()));
    } else {
      p.setNull(i, Types.BIGINT);
    }
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
    return Jdbc.run(dataSource, "grant transition", c -> {
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
          p.setLong(1, nanos(now));
          p.setLong(2, nanos(pendingRequestedBefore));
          p.setInt(3, limit);
        });
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement p) throws SQLException;
  }

  private List<Grant> query(String sql, Binder binder) {
    return Jdbc.run(dataSource, "grant query", c -> {
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
        Duration.ofNanos(rs.getLong(5)), GrantState.valueOf(rs.getString(6)), instant(rs.getLong(7)),
        Optional.ofNullable(rs.getString(8)), optInstant(rs, 9), optInstant(rs, 10), optInstant(rs, 11));
  }

  private static Optional<Instant> optInstant(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? Optional.empty() : Optional.of(instant(v));
  }
}
