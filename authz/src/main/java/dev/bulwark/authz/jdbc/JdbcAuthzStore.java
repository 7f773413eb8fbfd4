package dev.bulwark.authz.jdbc;

import dev.bulwark.authz.Binding;
import dev.bulwark.authz.Policy;
import dev.bulwark.authz.PolicyException;
import dev.bulwark.authz.PolicyJson;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Review;
import dev.bulwark.authz.Scope;
import dev.bulwark.authz.internal.Schema;
import dev.bulwark.authz.spi.AuthzStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * {@link AuthzStore} on PostgreSQL: tables {@code bulwark_authz_state} (one row: revision and the
 * definitions as the JSON policy file), {@code bulwark_authz_bindings} and
 * {@code bulwark_authz_reviews}, created on first use under an advisory lock. Every write runs in
 * one transaction that ends with {@code UPDATE ... SET revision = revision + 1 WHERE revision = ?}:
 * a compare-and-set, so nodes sharing the database never write over a state they did not
 * validate. Reads are one repeatable-read transaction. Thread-safe.
 */
public final class JdbcAuthzStore implements AuthzStore {

  private static final String BINDING_COLUMNS = "id, principal, role, tenant, scope_kind, scope_type, scope_id,"
      + " not_before, not_after, review_by";

  private final DataSource dataSource;

  public JdbcAuthzStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    Schema.create(dataSource, "the authz tables", List.of(
        "CREATE TABLE IF NOT EXISTS bulwark_authz_state (id smallint PRIMARY KEY CHECK (id = 1),"
            + " revision bigint NOT NULL, definitions text)",
        "INSERT INTO bulwark_authz_state (id, revision, definitions) VALUES (1, 0, NULL) ON CONFLICT (id) DO NOTHING",
        "CREATE TABLE IF NOT EXISTS bulwark_authz_bindings (id varchar(256) PRIMARY KEY,"
            + " principal varchar(300) NOT NULL, role varchar(64) NOT NULL, tenant varchar(256) NOT NULL,"
            + " scope_kind varchar(16) NOT NULL, scope_type varchar(64), scope_id varchar(256),"
            + " not_before bigint, not_after bigint, review_by bigint)",
        "CREATE INDEX IF NOT EXISTS bulwark_authz_bindings_review ON bulwark_authz_bindings (review_by)",
        "CREATE TABLE IF NOT EXISTS bulwark_authz_reviews (seq bigserial PRIMARY KEY,"
            + " binding_id varchar(256) NOT NULL, outcome varchar(16) NOT NULL, reviewer varchar(256) NOT NULL,"
            + " note varchar(1000) NOT NULL, at_nanos bigint NOT NULL, next_review_by bigint)",
        "CREATE INDEX IF NOT EXISTS bulwark_authz_reviews_binding ON bulwark_authz_reviews (binding_id, seq)"),
        "SELECT s.revision, b.id, r.seq FROM bulwark_authz_state s, bulwark_authz_bindings b,"
            + " bulwark_authz_reviews r WHERE 1 = 0");
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T inTransaction(String what, boolean repeatableRead, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      int isolation = c.getTransactionIsolation();
      c.setAutoCommit(false);
      if (repeatableRead) {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      }
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setTransactionIsolation(isolation);
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(what + " failed", e);
    }
  }

  @Override
  public Snapshot read() {
    return inTransaction("authz read", true, c -> {
      long revision;
      String json;
      try (PreparedStatement ps = c.prepareStatement("SELECT revision, definitions FROM bulwark_authz_state WHERE id = 1");
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("bulwark_authz_state has no row");
        }
        revision = rs.getLong(1);
        json = rs.getString(2);
      }
      Policy definitions;
      try {
        definitions = json == null ? Policy.empty("empty") : PolicyJson.parse(json);
      } catch (PolicyException e) {
        throw new IllegalStateException("the stored policy definitions do not validate", e);
      }
      List<Binding> bindings = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + BINDING_COLUMNS
          + " FROM bulwark_authz_bindings ORDER BY id"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          bindings.add(readBinding(rs));
        }
      }
      return new Snapshot(definitions.withBindings(bindings), revision);
    });
  }

  private static boolean bump(Connection c, long expected) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE bulwark_authz_state SET revision = revision + 1 WHERE id = 1 AND revision = ?")) {
      ps.setLong(1, expected);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public OptionalLong replaceDefinitions(Policy policy, long expectedRevision) {
    Objects.requireNonNull(policy, "policy");
    String json = PolicyJson.write(policy.withBindings(List.of()));
    return inTransaction("authz definitions write", false, c -> {
      if (!bump(c, expectedRevision)) {
        return OptionalLong.empty();
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE bulwark_authz_state SET definitions = ? WHERE id = 1")) {
        ps.setString(1, json);
        ps.executeUpdate();
      }
      for (Binding b : policy.bindings()) {
        upsert(c, b);
      }
      return OptionalLong.of(expectedRevision + 1);
    });
  }

  @Override
  public OptionalLong putBinding(Binding binding, long expectedRevision) {
    Objects.requireNonNull(binding, "binding");
    return inTransaction("authz binding write", false, c -> {
      if (!bump(c, expectedRevision)) {
        return OptionalLong.empty();
      }
      upsert(c, binding);
      return OptionalLong.of(expectedRevision + 1);
    });
  }

  @Override
  public OptionalLong removeBinding(String bindingId, long expectedRevision) {
    Objects.requireNonNull(bindingId, "bindingId");
    return inTransaction("authz binding removal", false, c -> {
      if (!bump(c, expectedRevision)) {
        return OptionalLong.empty();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM bulwark_authz_bindings WHERE id = ?")) {
        ps.setString(1, bindingId);
        if (ps.executeUpdate() != 1) {
          c.rollback();
          return OptionalLong.empty();
        }
      }
      return OptionalLong.of(expectedRevision + 1);
    });
  }

  private static void upsert(Connection c, Binding b) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_authz_bindings (" + BINDING_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET principal = EXCLUDED.principal,"
        + " role = EXCLUDED.role, tenant = EXCLUDED.tenant, scope_kind = EXCLUDED.scope_kind,"
        + " scope_type = EXCLUDED.scope_type, scope_id = EXCLUDED.scope_id, not_before = EXCLUDED.not_before,"
        + " not_after = EXCLUDED.not_after, review_by = EXCLUDED.review_by")) {
      ps.setString(1, b.id());
      ps.setString(2, b.principal().toString());
      ps.setString(3, b.role());
      ps.setString(4, b.tenant());
      ps.setString(5, b.scope().kind().name());
      ps.setString(6, b.scope().resourceType().orElse(null));
      ps.setString(7, b.scope().resourceId().orElse(null));
      instant(ps, 8, b.notBefore());
      instant(ps, 9, b.notAfter());
      instant(ps, 10, b.reviewBy());
      ps.executeUpdate();
    }
  }

  private static void instant(PreparedStatement ps, int i, Optional<Instant> t) throws SQLException {
    if (t.isPresent()) {
      ps.setLong(i, nanos(t.get()));
    } else {
      ps.setNull(i, Types.BIGINT);
    }
  }

  private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(instant(v));
  }

  private static Binding readBinding(ResultSet rs) throws SQLException {
    Scope.Kind kind = Scope.Kind.valueOf(rs.getString("scope_kind"));
    Scope scope = kind == Scope.Kind.ORGANIZATION ? Scope.organization()
        : new Scope(kind, Optional.of(rs.getString("scope_type")), Optional.of(rs.getString("scope_id")));
    return new Binding(rs.getString("id"), Principal.parse(rs.getString("principal")), rs.getString("role"),
        rs.getString("tenant"), scope, instant(rs, "not_before"), instant(rs, "not_after"), instant(rs, "review_by"));
  }

  @Override
  public void appendReview(Review r) {
    Objects.requireNonNull(r, "review");
    inTransaction("authz review append", false, c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_authz_reviews (binding_id, outcome,"
          + " reviewer, note, at_nanos, next_review_by) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, r.bindingId());
        ps.setString(2, r.outcome().name());
        ps.setString(3, r.reviewer());
        ps.setString(4, r.note());
        ps.setLong(5, nanos(r.at()));
        instant(ps, 6, r.nextReviewBy());
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public List<Review> reviews(String bindingId) {
    Objects.requireNonNull(bindingId, "bindingId");
    return inTransaction("authz review read", false, c -> {
      List<Review> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT binding_id, outcome, reviewer, note, at_nanos,"
          + " next_review_by FROM bulwark_authz_reviews WHERE binding_id = ? ORDER BY seq")) {
        ps.setString(1, bindingId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Review(rs.getString(1), Review.Outcome.valueOf(rs.getString(2)), rs.getString(3),
                rs.getString(4), instant(rs.getLong(5)), instant(rs, "next_review_by")));
          }
        }
      }
      return out;
    });
  }

  private static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
