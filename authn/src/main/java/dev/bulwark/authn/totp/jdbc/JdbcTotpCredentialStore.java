package dev.bulwark.authn.totp.jdbc;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.internal.AuthnSchema;
import dev.bulwark.authn.totp.TotpCredential;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link TotpCredentialStore} in PostgreSQL: table {@code bulwark_authn_totp_credentials} (one row
 * per account, the credential id unique) in the connection's current schema, from the module's
 * migrations (see {@link Builder#createSchema}).
 *
 * <p>The seed column holds exactly the bytes {@link TotpCredential#protectedSeed()} holds: what the
 * host's {@code SeedProtector} returned, bound to the credential id. {@code TotpAuthenticator}
 * refuses to be built over this store with {@code SeedProtector.PLAINTEXT}, so a database never
 * receives a seed in the clear from Bulwark.
 *
 * <p>{@link #save} is one {@code INSERT ... ON CONFLICT (account_id) DO UPDATE}: a failed save
 * leaves the earlier credential in place. Thread-safe; each call uses its own connection. SQL
 * failures are {@link AuthnStoreException} with the cause attached.
 */
public final class JdbcTotpCredentialStore implements TotpCredentialStore {

  static final String TABLE = "bulwark_authn_totp_credentials";

  private static final String COLUMNS =
      "account_id, credential_id, protected_seed, algorithm, digits, period_seconds, drift_window, enrolled_at";

  /** The table and columns this store reads, with the module's migrations. */
  static final JdbcSchema SCHEMA = AuthnSchema.builder()
      .table(TABLE, "account_id varchar", "credential_id varchar", "protected_seed bytea", "algorithm varchar",
          "digits int4", "period_seconds int4", "drift_window int4", "enrolled_at timestamptz")
      .build();

  private final Jdbc jdbc;

  /**
   * Applies the module's migrations if needed (see {@link Builder#createSchema}).
   *
   * @throws AuthnStoreException if the table cannot be made or read
   */
  public JdbcTotpCredentialStore(DataSource dataSource) {
    this(builder(dataSource));
  }

  private JdbcTotpCredentialStore(Builder b) {
    this.jdbc = AuthnSchema.open(b, SCHEMA);
  }

  /** A builder; {@code createSchema} is optional. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Settings of a {@link JdbcTotpCredentialStore} (see {@link JdbcStoreBuilder#createSchema}). */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcTotpCredentialStore> {
    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /** @throws AuthnStoreException if the table cannot be made, is missing or has other columns */
    @Override
    public JdbcTotpCredentialStore build() {
      return new JdbcTotpCredentialStore(this);
    }
  }

  @Override
  public Optional<TotpCredential> find(String accountId) {
    Objects.requireNonNull(accountId, "accountId");
    return jdbc.run("TOTP credential lookup", c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE account_id = ?")) {
        q.setString(1, accountId);
        try (ResultSet rs = q.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          try {
            return Optional.of(new TotpCredential(rs.getString(1), rs.getString(2), rs.getBytes(3),
                TotpRows.readSettings(rs, 4), Timestamps.get(rs, 8)));
          } catch (IllegalArgumentException | NullPointerException e) {
            throw new AuthnStoreException("corrupt TOTP credential row", e);
          }
        }
      }
    });
  }

  /** @throws IllegalArgumentException if an id is longer than 255 characters */
  @Override
  public void save(TotpCredential credential) {
    Objects.requireNonNull(credential, "credential");
    TotpRows.id(credential.accountId(), "accountId");
    TotpRows.id(credential.credentialId(), "credentialId");
    jdbc.run("TOTP credential save", c -> {
      try (PreparedStatement p = c.prepareStatement("INSERT INTO " + TABLE + " (" + COLUMNS + ")"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET"
          + " credential_id = EXCLUDED.credential_id, protected_seed = EXCLUDED.protected_seed,"
          + " algorithm = EXCLUDED.algorithm, digits = EXCLUDED.digits, period_seconds = EXCLUDED.period_seconds,"
          + " drift_window = EXCLUDED.drift_window, enrolled_at = EXCLUDED.enrolled_at")) {
        p.setString(1, credential.accountId());
        p.setString(2, credential.credentialId());
        p.setBytes(3, credential.protectedSeed());
        TotpRows.bindSettings(p, 4, credential.settings());
        Timestamps.set(p, 8, credential.enrolledAt());
        return p.executeUpdate();
      }
    });
  }

  @Override
  public boolean delete(String accountId) {
    Objects.requireNonNull(accountId, "accountId");
    return jdbc.run("TOTP credential delete", c -> {
      try (PreparedStatement d = c.prepareStatement("DELETE FROM " + TABLE + " WHERE account_id = ?")) {
        d.setString(1, accountId);
        return d.executeUpdate() == 1;
      }
    });
  }

  @Override
  public String toString() {
    return "JdbcTotpCredentialStore[" + TABLE + "]";
  }
}
