package dev.bulwark.authz.jdbc;

import dev.bulwark.authz.AuthzStoreException;
import dev.bulwark.authz.Binding;
import dev.bulwark.authz.Policy;
import dev.bulwark.authz.PolicyException;
import dev.bulwark.authz.PolicyJson;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Review;
import dev.bulwark.authz.Scope;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * {@code bulwark_authz_reviews}, made by the migrations in
 * {@code classpath:db/migration/bulwark-authz/} (applied on start under an advisory lock unless
 * built with {@code createSchema(false)}, which only checks the tables, read-only). Every write runs in
 * one transaction that ends with {@code UPDATE ... SET revision = revision + 1 WHERE revision = ?}:
 * a compare-and-set, so nodes sharing the database never write over a state they did not
 * validate. Reads are one repeatable-read transaction. Times are {@code timestamptz}. A database
 * failure is an {@link AuthzStoreException}. Thread-safe.
 */
public final class JdbcAuthzStore implements AuthzStore {

  /** The module's migrations and the tables and columns this store reads. */
  public static final JdbcSchema SCHEMA = JdbcSchema.builder("authz", JdbcAuthzStore.class)
      .migrations("V1__tables.sql", "V2__timestamptz.sql")
      .table("bulwark_authz_state", "id int2", "revision int8", "definitions text")
      .table("bulwark_authz_bindings", "id varchar", "principal varchar", "role varchar", "tenant varchar",
          "scope_kind varchar", "scope_type varchar", "scope_id varchar", "not_before timestamptz",
          "not_after timestamptz", "review_by timestamptz")
      .table("bulwark_authz_reviews", "seq", "binding_id varchar", "outcome varchar", "reviewer varchar",
          "note varchar", "reviewed_at timestamptz", "next_review_by timestamptz")
      .build();

  private static final String BINDING_COLUMNS = "id, principal, role, tenant, scope_kind, scope_type, scope_id,"
      + " not_before, not_after, review_by";

  private final Jdbc jdbc;

  private JdbcAuthzStore(Builder b) {
    this.jdbc = Jdbc.of(b.dataSource(), AuthzStoreException::new);
    SCHEMA.apply(b.dataSource(), b.createsSchema(), AuthzStoreException::new);
  }

  /**
   * A store over {@code dataSource} that brings the tables up to date on start.
   *
   * @throws AuthzStoreException if the tables cannot be made or read
   */
  public static JdbcAuthzStore create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /** A builder; {@link Builder#createSchema(boolean)} is the only option. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Settings of a {@link JdbcAuthzStore}: {@code createSchema} (see {@link JdbcStoreBuilder#createSchema});
   * the host's Flyway or Liquibase applies {@link #SCHEMA}'s files when it is false.
   */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcAuthzStore> {
    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /** @throws AuthzStoreException if the tables cannot be made or are not there */
    @Override
    public JdbcAuthzStore build() {
      return new JdbcAuthzStore(this);
    }
  }

  private <T> T inTransaction(String what, boolean repeatableRead, Jdbc.Work<T> work) {
    return jdbc.inTransaction(what, c -> {
      if (repeatableRead) {
        try (Statement s = c.createStatement()) {
          s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        }
      }
      return work.run(c);
    });
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
        throw new AuthzStoreException("the stored policy definitions do not validate", e);
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
    Timestamps.set(ps, i, t.orElse(null));
  }

  private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
    return Optional.ofNullable(Timestamps.get(rs, column));
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
          + " reviewer, note, reviewed_at, next_review_by) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, r.bindingId());
        ps.setString(2, r.outcome().name());
        ps.setString(3, r.reviewer());
        ps.setString(4, r.note());
        Timestamps.set(ps, 5, r.at());
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
      try (PreparedStatement ps = c.prepareStatement("SELECT binding_id, outcome, reviewer, note, reviewed_at,"
          + " next_review_by FROM bulwark_authz_reviews WHERE binding_id = ? ORDER BY seq")) {
        ps.setString(1, bindingId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Review(rs.getString(1), Review.Outcome.valueOf(rs.getString(2)), rs.getString(3),
                rs.getString(4), Timestamps.get(rs, 5), instant(rs, "next_review_by")));
          }
        }
      }
      return out;
    });
  }
}
