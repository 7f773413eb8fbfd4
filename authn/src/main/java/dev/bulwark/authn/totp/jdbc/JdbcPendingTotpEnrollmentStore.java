package dev.bulwark.authn.totp.jdbc;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.internal.AuthnSchema;
import dev.bulwark.authn.totp.PendingTotpEnrollment;
import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link PendingTotpEnrollmentStore} in PostgreSQL: table {@code bulwark_authn_totp_pending} (one
 * row per account) in the connection's current schema, from the module's migrations (see
 * {@link Builder#createSchema}). Every node sharing the database can confirm an enrolment another
 * node began.
 *
 * <p>Each operation is one statement, and the row lock makes it atomic across nodes:
 * {@link #reserveAttempt} is {@code UPDATE ... SET attempts = attempts + 1 WHERE expires_at > now
 * AND attempts < max RETURNING ...} (PostgreSQL re-checks the condition on the locked row, so
 * concurrent attempts never exceed the maximum), and {@link #complete} is {@code DELETE ... WHERE
 * credential_id = ? AND expires_at > now}, whose update count of one goes to exactly one caller.
 * The seed column holds only what the host's {@code SeedProtector} returned.
 *
 * <p>Thread-safe; each call uses its own connection. {@link #purgeExpired} deletes what expired
 * (schedule it, for example with {@code PurgeSchedule.builder().task(...)}). SQL failures are
 * {@link AuthnStoreException} with the cause attached.
 */
public final class JdbcPendingTotpEnrollmentStore implements PendingTotpEnrollmentStore {

  static final String TABLE = "bulwark_authn_totp_pending";

  private static final String COLUMNS = "account_id, credential_id, protected_seed, algorithm, digits, period_seconds,"
      + " drift_window, issuer, account_name, created_at, expires_at, attempts";

  /** The table and columns this store reads, with the module's migrations. */
  static final JdbcSchema SCHEMA = AuthnSchema.builder()
      .table(TABLE, "account_id varchar", "credential_id varchar", "protected_seed bytea", "algorithm varchar",
          "digits int4", "period_seconds int4", "drift_window int4", "issuer varchar", "account_name varchar",
          "created_at timestamptz", "expires_at timestamptz", "attempts int4")
      .build();

  private final Jdbc jdbc;

  /**
   * Applies the module's migrations if needed (see {@link Builder#createSchema}).
   *
   * @throws AuthnStoreException if the table cannot be made or read
   */
  public JdbcPendingTotpEnrollmentStore(DataSource dataSource) {
    this(builder(dataSource));
  }

  private JdbcPendingTotpEnrollmentStore(Builder b) {
    this.jdbc = AuthnSchema.open(b, SCHEMA);
  }

  /** A builder; {@code createSchema} is optional. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Settings of a {@link JdbcPendingTotpEnrollmentStore} (see {@link JdbcStoreBuilder#createSchema}). */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcPendingTotpEnrollmentStore> {
    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /** @throws AuthnStoreException if the table cannot be made, is missing or has other columns */
    @Override
    public JdbcPendingTotpEnrollmentStore build() {
      return new JdbcPendingTotpEnrollmentStore(this);
    }
  }

  @Override
  public void save(PendingTotpEnrollment e) {
    Objects.requireNonNull(e, "enrollment");
    jdbc.run("pending TOTP enrolment save", c -> {
      try (PreparedStatement p = c.prepareStatement("INSERT INTO " + TABLE + " (" + COLUMNS + ")"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET"
          + " credential_id = EXCLUDED.credential_id, protected_seed = EXCLUDED.protected_seed,"
          + " algorithm = EXCLUDED.algorithm, digits = EXCLUDED.digits, period_seconds = EXCLUDED.period_seconds,"
          + " drift_window = EXCLUDED.drift_window, issuer = EXCLUDED.issuer, account_name = EXCLUDED.account_name,"
          + " created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, attempts = EXCLUDED.attempts")) {
        p.setString(1, e.accountId());
        p.setString(2, e.credentialId());
        p.setBytes(3, e.protectedSeed());
        TotpRows.bindSettings(p, 4, e.settings());
        p.setString(8, e.issuer());
        p.setString(9, e.accountName());
        Timestamps.set(p, 10, e.createdAt());
        Timestamps.set(p, 11, e.expiresAt());
        p.setInt(12, e.attempts());
        return p.executeUpdate();
      }
    });
  }

  @Override
  public Optional<PendingTotpEnrollment> find(String accountId, Instant now) {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(now, "now");
    return jdbc.run("pending TOTP enrolment lookup", c -> {
      try (PreparedStatement q = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE account_id = ? AND expires_at > ?")) {
        q.setString(1, accountId);
        Timestamps.set(q, 2, now);
        return one(q);
      }
    });
  }

  @Override
  public Optional<PendingTotpEnrollment> reserveAttempt(String accountId, Instant now, int maxAttempts) {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(now, "now");
    return jdbc.run("pending TOTP enrolment attempt", c -> {
      try (PreparedStatement u = c.prepareStatement("UPDATE " + TABLE + " SET attempts = attempts + 1"
          + " WHERE account_id = ? AND expires_at > ? AND attempts < ? RETURNING " + COLUMNS)) {
        u.setString(1, accountId);
        Timestamps.set(u, 2, now);
        u.setInt(3, maxAttempts);
        return one(u);
      }
    });
  }

  @Override
  public boolean complete(String accountId, String credentialId, Instant now) {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(now, "now");
    return jdbc.run("pending TOTP enrolment completion", c -> {
      try (PreparedStatement d = c.prepareStatement(
          "DELETE FROM " + TABLE + " WHERE account_id = ? AND credential_id = ? AND expires_at > ?")) {
        d.setString(1, accountId);
        d.setString(2, credentialId);
        Timestamps.set(d, 3, now);
        return d.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean delete(String accountId) {
    Objects.requireNonNull(accountId, "accountId");
    return jdbc.run("pending TOTP enrolment delete", c -> {
      try (PreparedStatement d = c.prepareStatement("DELETE FROM " + TABLE + " WHERE account_id = ?")) {
        d.setString(1, accountId);
        return d.executeUpdate() == 1;
      }
    });
  }

  @Override
  public int purgeExpired(Instant now) {
    Objects.requireNonNull(now, "now");
    return jdbc.run("pending TOTP enrolment purge", c -> {
      try (PreparedStatement d = c.prepareStatement("DELETE FROM " + TABLE + " WHERE expires_at <= ?")) {
        Timestamps.set(d, 1, now);
        return d.executeUpdate();
      }
    });
  }

  private static Optional<PendingTotpEnrollment> one(PreparedStatement q) throws SQLException {
    try (ResultSet rs = q.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      try {
        return Optional.of(new PendingTotpEnrollment(rs.getString(1), rs.getString(2), rs.getBytes(3),
            TotpRows.readSettings(rs, 4), rs.getString(8), rs.getString(9), Timestamps.get(rs, 10),
            Timestamps.get(rs, 11), rs.getInt(12)));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new AuthnStoreException("corrupt pending TOTP enrolment row", e);
      }
    }
  }

  @Override
  public String toString() {
    return "JdbcPendingTotpEnrollmentStore[" + TABLE + "]";
  }
}
