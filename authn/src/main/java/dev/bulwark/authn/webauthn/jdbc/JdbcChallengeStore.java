package dev.bulwark.authn.webauthn.jdbc;

import dev.bulwark.authn.internal.Schema;
import static dev.bulwark.authn.session.internal.Jdbc.nanos;

import dev.bulwark.authn.session.internal.Jdbc;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link ChallengeStore} on PostgreSQL (table {@code bulwark_authn_webauthn_ceremonies}), for
 * several nodes behind a load balancer. {@link #take} is one {@code DELETE ... RETURNING}: a
 * ceremony is consumed once even when two nodes race. Expired rows are deleted as they are met and
 * by {@link #purgeExpired}. Thread-safe.
 */
public final class JdbcChallengeStore implements ChallengeStore {

  private final DataSource dataSource;

  public JdbcChallengeStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    Schema.create(dataSource, "the WebAuthn ceremony table", List.of(
        "CREATE TABLE IF NOT EXISTS bulwark_authn_webauthn_ceremonies ("
            + " ceremony_id varchar(64) PRIMARY KEY, request_json text NOT NULL, expires_at bigint NOT NULL)"),
        "SELECT ceremony_id, request_json, expires_at FROM bulwark_authn_webauthn_ceremonies WHERE 1 = 0");
  }

  @Override
  public void put(String ceremonyId, String requestJson, Instant expiresAt) {
    Objects.requireNonNull(ceremonyId, "ceremonyId");
    Objects.requireNonNull(requestJson, "requestJson");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Jdbc.run(dataSource, "ceremony insert", c -> {
      try (PreparedStatement p = c.prepareStatement(
          "INSERT INTO bulwark_authn_webauthn_ceremonies (ceremony_id, request_json, expires_at) VALUES (?, ?, ?)")) {
        p.setString(1, ceremonyId);
        p.setString(2, requestJson);
        p.setLong(3, nanos(expiresAt));
        p.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Optional<String> take(String ceremonyId, Instant now) {
    Objects.requireNonNull(ceremonyId, "ceremonyId");
    Objects.requireNonNull(now, "now");
    return Jdbc.run(dataSource, "ceremony take", c -> {
      try (PreparedStatement p = c.prepareStatement(
          "DELETE FROM bulwark_authn_webauthn_ceremonies WHERE ceremony_id = ? RETURNING request_json, expires_at")) {
        p.setString(1, ceremonyId);
        try (ResultSet rs = p.executeQuery()) {
          if (!rs.next() || rs.getLong(2) <= nanos(now)) {
            return Optional.empty();
          }
          return Optional.of(rs.getString(1));
        }
      }
    });
  }

  /** Deletes ceremonies that expired at or before {@code now}; returns how many. */
  public int purgeExpired(Instant now) {
    return Jdbc.run(dataSource, "ceremony purge", c -> {
      try (PreparedStatement p = c.prepareStatement("DELETE FROM bulwark_authn_webauthn_ceremonies WHERE expires_at <= ?")) {
        p.setLong(1, nanos(now));
        return p.executeUpdate();
      }
    });
  }
}
