package dev.bulwark.authn.webauthn.jdbc;

import dev.bulwark.authn.internal.AuthnSchema;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;

import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link ChallengeStore} on PostgreSQL (table {@code bulwark_authn_webauthn_ceremonies}, from the
 * module's migrations; see {@link Builder#createSchema}), for
 * several nodes behind a load balancer. {@link #take} is one {@code DELETE ... RETURNING}: a
 * ceremony is consumed once even when two nodes race. Expired rows are deleted as they are met and
 * by {@link #purgeExpired}. Thread-safe.
 */
public final class JdbcChallengeStore implements ChallengeStore {

  private final Jdbc jdbc;

  /** The table and columns this store reads, with the module's migrations. */
  static final JdbcSchema SCHEMA = AuthnSchema.builder()
      .table("bulwark_authn_webauthn_ceremonies", "ceremony_id varchar", "request_json text", "expires_at timestamptz")
      .build();

  /**
   * Applies the module's migrations if needed (see {@link Builder#createSchema}).
   *
   * @throws dev.bulwark.authn.AuthnStoreException if the table cannot be made or read
   */
  public JdbcChallengeStore(DataSource dataSource) {
    this(builder(dataSource));
  }

  private JdbcChallengeStore(Builder b) {
    this.jdbc = AuthnSchema.open(b, SCHEMA);
  }

  /** A builder; {@code createSchema} is optional. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Settings of a {@link JdbcChallengeStore} (see {@link JdbcStoreBuilder#createSchema}). */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcChallengeStore> {
    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /** @throws dev.bulwark.authn.AuthnStoreException if the table cannot be made, are missing or differ */
    @Override
    public JdbcChallengeStore build() {
      return new JdbcChallengeStore(this);
    }
  }

  @Override
  public void put(String ceremonyId, String requestJson, Instant expiresAt) {
    Objects.requireNonNull(ceremonyId, "ceremonyId");
    Objects.requireNonNull(requestJson, "requestJson");
    Objects.requireNonNull(expiresAt, "expiresAt");
    jdbc.run("ceremony insert", c -> {
      try (PreparedStatement p = c.prepareStatement(
          "INSERT INTO bulwark_authn_webauthn_ceremonies (ceremony_id, request_json, expires_at) VALUES (?, ?, ?)")) {
        p.setString(1, ceremonyId);
        p.setString(2, requestJson);
        Timestamps.set(p, 3, expiresAt);
        p.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Optional<String> take(String ceremonyId, Instant now) {
    Objects.requireNonNull(ceremonyId, "ceremonyId");
    Objects.requireNonNull(now, "now");
    return jdbc.run("ceremony take", c -> {
      try (PreparedStatement p = c.prepareStatement(
          "DELETE FROM bulwark_authn_webauthn_ceremonies WHERE ceremony_id = ? RETURNING request_json, expires_at")) {
        p.setString(1, ceremonyId);
        try (ResultSet rs = p.executeQuery()) {
          if (!rs.next() || !Timestamps.get(rs, 2).isAfter(now)) {
            return Optional.empty();
          }
          return Optional.of(rs.getString(1));
        }
      }
    });
  }

  /** Deletes ceremonies that expired at or before {@code now}; returns how many. */
  public int purgeExpired(Instant now) {
    return jdbc.run("ceremony purge", c -> {
      try (PreparedStatement p = c.prepareStatement("DELETE FROM bulwark_authn_webauthn_ceremonies WHERE expires_at <= ?")) {
        Timestamps.set(p, 1, now);
        return p.executeUpdate();
      }
    });
  }
}
