package dev.bulwark.authn.totp.jdbc;

import dev.bulwark.authn.internal.Schema;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * {@link UsedTotpStepStore} in PostgreSQL (table {@code bulwark_authn_totp_steps}, created if
 * missing in the connection's current schema). Every application node pointing at the same
 * database sees the same used steps, so a code accepted on one node is a replay on all others.
 *
 * <p>Atomicity is the database's: one {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} statement
 * moves the step forward only if the stored one is lower (or expired); its update count says
 * whether the code is fresh. Row locks serialise concurrent callers on the same credential.
 *
 * <p>Thread-safe. {@link #purgeExpired()} deletes records past their expiry; schedule it (hourly
 * is plenty). SQL errors surface as {@link IllegalStateException} with the cause attached, which
 * the verifier treats as "not accepted".
 */
public final class JdbcUsedTotpStepStore implements UsedTotpStepStore {

  static final String TABLE = "bulwark_authn_totp_steps";

  private final DataSource dataSource;
  private final InstantSource clock;

  /** Creates the table if needed. */
  public JdbcUsedTotpStepStore(DataSource dataSource, InstantSource clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    Schema.create(dataSource, "table " + TABLE, List.of("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
            + "credential_id VARCHAR(256) PRIMARY KEY, "
            + "last_step BIGINT NOT NULL, "
            + "expires_at_ms BIGINT NOT NULL)"),
        "SELECT credential_id, last_step, expires_at_ms FROM " + TABLE + " WHERE 1 = 0");
  }

  @Override
  public boolean markUsed(String credentialId, long step, Instant expiresAt) {
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    String sql = "INSERT INTO " + TABLE + " AS u (credential_id, last_step, expires_at_ms) VALUES (?, ?, ?) "
        + "ON CONFLICT (credential_id) DO UPDATE SET last_step = EXCLUDED.last_step, expires_at_ms = EXCLUDED.expires_at_ms "
        + "WHERE u.last_step < EXCLUDED.last_step OR u.expires_at_ms <= ?";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, credentialId);
      ps.setLong(2, step);
      ps.setLong(3, expiresAt.toEpochMilli());
      ps.setLong(4, clock.instant().toEpochMilli());
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("could not record a used TOTP step", e);
    }
  }

  @Override
  public void forget(String credentialId) {
    Objects.requireNonNull(credentialId, "credentialId");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE credential_id = ?")) {
      ps.setString(1, credentialId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not forget used TOTP steps", e);
    }
  }

  /** Deletes expired records; returns how many. */
  public int purgeExpired() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE expires_at_ms <= ?")) {
      ps.setLong(1, clock.instant().toEpochMilli());
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not purge used TOTP steps", e);
    }
  }

  @Override
  public String toString() {
    return "JdbcUsedTotpStepStore[" + TABLE + "]";
  }
}
