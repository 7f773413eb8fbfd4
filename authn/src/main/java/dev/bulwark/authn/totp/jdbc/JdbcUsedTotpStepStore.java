package dev.bulwark.authn.totp.jdbc;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.internal.AuthnSchema;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * {@link UsedTotpStepStore} in PostgreSQL (table {@code bulwark_authn_totp_steps} in the
 * connection's current schema, from the module's migrations; see {@link Builder#createSchema}).
 * Every application node pointing at the same
 * database sees the same used steps, so a code accepted on one node is a replay on all others.
 *
 * <p>Atomicity is the database's: one {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} statement
 * moves the step forward only if the stored one is lower (or expired); its update count says
 * whether the code is fresh. Row locks serialise concurrent callers on the same credential.
 *
 * <p>Thread-safe. {@link #purgeExpired()} deletes records past their expiry; schedule it (hourly
 * is plenty). SQL errors surface as {@link AuthnStoreException} with the cause attached, which
 * the verifier treats as "not accepted".
 */
public final class JdbcUsedTotpStepStore implements UsedTotpStepStore {

  static final String TABLE = "bulwark_authn_totp_steps";

  private final DataSource dataSource;
  private final InstantSource clock;

  /** The table and columns this store reads, with the module's migrations. */
  static final JdbcSchema SCHEMA = AuthnSchema.builder()
      .table(TABLE, "credential_id varchar", "last_step int8", "expires_at timestamptz")
      .build();

  /**
   * Applies the module's migrations if needed (see {@link Builder#createSchema}).
   *
   * @throws dev.bulwark.authn.AuthnStoreException if the table cannot be made or read
   */
  public JdbcUsedTotpStepStore(DataSource dataSource, InstantSource clock) {
    this(builder(dataSource, clock));
  }

  private JdbcUsedTotpStepStore(Builder b) {
    this.dataSource = b.dataSource();
    this.clock = b.clock;
    AuthnSchema.apply(SCHEMA, dataSource, b.createsSchema());
  }

  /** A builder; {@code createSchema} is optional. */
  public static Builder builder(DataSource dataSource, InstantSource clock) {
    return new Builder(dataSource, clock);
  }

  /** Settings of a {@link JdbcUsedTotpStepStore} (see {@link JdbcStoreBuilder#createSchema}). */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcUsedTotpStepStore> {
    private final InstantSource clock;

    private Builder(DataSource dataSource, InstantSource clock) {
      super(dataSource);
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @throws dev.bulwark.authn.AuthnStoreException if the table cannot be made, are missing or differ */
    @Override
    public JdbcUsedTotpStepStore build() {
      return new JdbcUsedTotpStepStore(this);
    }
  }

  @Override
  public boolean markUsed(String credentialId, long step, Instant expiresAt) {
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    String sql = "INSERT INTO " + TABLE + " AS u (credential_id, last_step, expires_at) VALUES (?, ?, ?) "
        + "ON CONFLICT (credential_id) DO UPDATE SET last_step = EXCLUDED.last_step, expires_at = EXCLUDED.expires_at "
        + "WHERE u.last_step < EXCLUDED.last_step OR u.expires_at <= ?";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, credentialId);
      ps.setLong(2, step);
      Timestamps.set(ps, 3, expiresAt);
      Timestamps.set(ps, 4, clock.instant());
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new AuthnStoreException("could not record a used TOTP step", e);
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
      throw new AuthnStoreException("could not forget used TOTP steps", e);
    }
  }

  /** Deletes expired records; returns how many. */
  public int purgeExpired() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE expires_at <= ?")) {
      Timestamps.set(ps, 1, clock.instant());
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new AuthnStoreException("could not purge used TOTP steps", e);
    }
  }

  @Override
  public String toString() {
    return "JdbcUsedTotpStepStore[" + TABLE + "]";
  }
}
