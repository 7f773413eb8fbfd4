package dev.bulwark.authn.webauthn.jdbc;

import dev.bulwark.authn.internal.AuthnSchema;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;

import dev.bulwark.common.Bytes;
import dev.bulwark.authn.webauthn.StoredCredential;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * {@link CredentialStore} on PostgreSQL: table {@code bulwark_authn_webauthn_credentials} (created
 * on first use), primary key the credential id, so a credential id is registered at most once
 * across all nodes. {@code save} refuses a username/user-handle pair that contradicts an existing
 * one (checked under a row lock on the username's credentials). Thread-safe.
 */
public final class JdbcCredentialStore implements CredentialStore {

  private static final String COLUMNS = "credential_id, user_handle, username, public_key_cose, signature_count,"
      + " discoverable, backup_eligible, backed_up, registered_at, last_used_at";

  private final Jdbc jdbc;

  /** The table and columns this store reads, with the module's migrations. */
  static final JdbcSchema SCHEMA = AuthnSchema.builder()
      .table("bulwark_authn_webauthn_credentials", "credential_id bytea", "user_handle bytea", "username varchar",
          "public_key_cose bytea", "signature_count int8", "discoverable bool", "backup_eligible bool", "backed_up bool",
          "registered_at timestamptz", "last_used_at timestamptz")
      .build();

  /**
   * Applies the module's migrations if needed (see {@link Builder#createSchema}).
   *
   * @throws dev.bulwark.authn.AuthnStoreException if the table cannot be made or read
   */
  public JdbcCredentialStore(DataSource dataSource) {
    this(builder(dataSource));
  }

  private JdbcCredentialStore(Builder b) {
    this.jdbc = AuthnSchema.open(b, SCHEMA);
  }

  /** A builder; {@code createSchema} is optional. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Settings of a {@link JdbcCredentialStore} (see {@link JdbcStoreBuilder#createSchema}). */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcCredentialStore> {
    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /** @throws dev.bulwark.authn.AuthnStoreException if the table cannot be made, are missing or differ */
    @Override
    public JdbcCredentialStore build() {
      return new JdbcCredentialStore(this);
    }
  }

  @Override
  public Set<StoredCredential> forUsername(String username) {
    Objects.requireNonNull(username, "username");
    return query("SELECT " + COLUMNS + " FROM bulwark_authn_webauthn_credentials WHERE username = ?",
        p -> p.setString(1, username));
  }

  @Override
  public Optional<Bytes> userHandleFor(String username) {
    return forUsername(username).stream().map(StoredCredential::userHandle).findFirst();
  }

  @Override
  public Optional<String> usernameFor(Bytes userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    return query("SELECT " + COLUMNS + " FROM bulwark_authn_webauthn_credentials WHERE user_handle = ? LIMIT 1",
        p -> p.setBytes(1, userHandle.toByteArray())).stream().map(StoredCredential::username).findFirst();
  }

  @Override
  public Optional<StoredCredential> find(Bytes credentialId, Bytes userHandle) {
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(userHandle, "userHandle");
    return query("SELECT " + COLUMNS + " FROM bulwark_authn_webauthn_credentials WHERE credential_id = ? AND user_handle = ?",
        p -> {
          p.setBytes(1, credentialId.toByteArray());
          p.setBytes(2, userHandle.toByteArray());
        }).stream().findFirst();
  }

  @Override
  public Set<StoredCredential> findAll(Bytes credentialId) {
    Objects.requireNonNull(credentialId, "credentialId");
    return query("SELECT " + COLUMNS + " FROM bulwark_authn_webauthn_credentials WHERE credential_id = ?",
        p -> p.setBytes(1, credentialId.toByteArray()));
  }

  @Override
  public void save(StoredCredential c) {
    Objects.requireNonNull(c, "credential");
    jdbc.inTransaction("credential save", conn -> {
      // Serialise registrations of one username so the handle check and the insert are atomic.
      try (PreparedStatement lock = conn.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
        lock.setString(1, "bulwark_authn_webauthn:" + c.username());
        lock.executeQuery().close();
      }
      try (PreparedStatement q = conn.prepareStatement("SELECT username, user_handle FROM bulwark_authn_webauthn_credentials"
          + " WHERE username = ? OR user_handle = ?")) {
        q.setString(1, c.username());
        q.setBytes(2, c.userHandle().toByteArray());
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            if (!rs.getString(1).equals(c.username()) || !Bytes.of(rs.getBytes(2)).equals(c.userHandle())) {
              throw new IllegalArgumentException("username and user handle do not match the stored pair");
            }
          }
        }
      }
      try (PreparedStatement p = conn.prepareStatement("INSERT INTO bulwark_authn_webauthn_credentials (" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (credential_id) DO NOTHING")) {
        p.setBytes(1, c.credentialId().toByteArray());
        p.setBytes(2, c.userHandle().toByteArray());
        p.setString(3, c.username());
        p.setBytes(4, c.publicKeyCose().toByteArray());
        p.setLong(5, c.signatureCount());
        if (c.discoverable().isPresent()) {
          p.setBoolean(6, c.discoverable().get());
        } else {
          p.setNull(6, Types.BOOLEAN);
        }
        p.setBoolean(7, c.backupEligible());
        p.setBoolean(8, c.backedUp());
        Timestamps.set(p, 9, c.registeredAt());
        if (c.lastUsedAt().isPresent()) {
          Timestamps.set(p, 10, c.lastUsedAt().get());
        } else {
          Timestamps.set(p, 10, null);
        }
        if (p.executeUpdate() != 1) {
          throw new IllegalArgumentException("credential id already registered");
        }
      }
      return null;
    });
  }

  @Override
  public boolean updateUsage(Bytes credentialId, long signatureCount, boolean backedUp, Instant usedAt) {
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(usedAt, "usedAt");
    return jdbc.run("credential update", c -> {
      try (PreparedStatement p = c.prepareStatement("UPDATE bulwark_authn_webauthn_credentials"
          + " SET signature_count = ?, backed_up = ?, last_used_at = ? WHERE credential_id = ?")) {
        p.setLong(1, signatureCount);
        p.setBoolean(2, backedUp);
        Timestamps.set(p, 3, usedAt);
        p.setBytes(4, credentialId.toByteArray());
        return p.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean delete(Bytes credentialId) {
    Objects.requireNonNull(credentialId, "credentialId");
    return jdbc.run("credential delete", c -> {
      try (PreparedStatement p = c.prepareStatement("DELETE FROM bulwark_authn_webauthn_credentials WHERE credential_id = ?")) {
        p.setBytes(1, credentialId.toByteArray());
        return p.executeUpdate() == 1;
      }
    });
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement p) throws SQLException;
  }

  private Set<StoredCredential> query(String sql, Binder binder) {
    return jdbc.run("credential query", c -> {
      try (PreparedStatement p = c.prepareStatement(sql)) {
        binder.bind(p);
        Set<StoredCredential> out = new HashSet<>();
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            boolean disc = rs.getBoolean(6);
            Optional<Boolean> discoverable = rs.wasNull() ? Optional.empty() : Optional.of(disc);
            Optional<Instant> lastUsed = Optional.ofNullable(Timestamps.get(rs, 10));
            out.add(new StoredCredential(Bytes.of(rs.getBytes(1)), Bytes.of(rs.getBytes(2)), rs.getString(3),
                Bytes.of(rs.getBytes(4)), rs.getLong(5), discoverable, rs.getBoolean(7), rs.getBoolean(8),
                Timestamps.get(rs, 9), lastUsed));
          }
        }
        return Set.copyOf(out);
      }
    });
  }
}
