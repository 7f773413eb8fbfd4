package dev.bulwark.samples.notes;

import dev.bulwark.authn.totp.TotpAlgorithm;
import dev.bulwark.authn.totp.TotpCredential;
import dev.bulwark.authn.totp.TotpSettings;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The sample's tables in PostgreSQL ({@code --postgres}). {@code sample_notes} carries the
 * lifecycle columns ({@code deleted_at}, {@code purge_after}, {@code delete_op}), so bulwark-lifecycle
 * soft-deletes, restores and purges these rows directly.
 */
final class JdbcAppStore implements AppStore {

  static final String NOTES_TABLE = "sample_notes";

  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS sample_users (id text PRIMARY KEY, username text NOT NULL UNIQUE,"
        + " password_hash text NOT NULL, roles text NOT NULL, created_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sample_notes (id text PRIMARY KEY, owner_id text NOT NULL,"
        + " ciphertext text NOT NULL, created_at timestamptz NOT NULL, deleted_at timestamptz,"
        + " purge_after timestamptz, delete_op text)",
    "CREATE INDEX IF NOT EXISTS sample_notes_owner ON sample_notes (owner_id)",
    "CREATE INDEX IF NOT EXISTS sample_notes_purge_after ON sample_notes (purge_after) WHERE purge_after IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS sample_totp (account_id text PRIMARY KEY, credential_id text NOT NULL,"
        + " protected_seed bytea NOT NULL, algorithm text NOT NULL, digits int NOT NULL,"
        + " period_seconds bigint NOT NULL, window_steps int NOT NULL, enrolled_at timestamptz NOT NULL)",
  };

  private final DataSource ds;
  private final TotpCredentialStore totp = new Totp();

  JdbcAppStore(DataSource ds) throws SQLException {
    this.ds = ds;
    // CREATE TABLE IF NOT EXISTS is not atomic in PostgreSQL: two instances starting at once race
    // in the catalog. One transaction behind an advisory lock makes the second wait instead.
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(hashtext('bulwark.samples.schema'))");
        for (String sql : SCHEMA) {
          s.execute(sql);
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T tx(Work<T> work) {
    try (Connection c = ds.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new IllegalStateException("database error: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean addUser(User u) {
    return tx(c -> {
      try (PreparedStatement p = c.prepareStatement("INSERT INTO sample_users (id, username, password_hash, roles, created_at)"
          + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING")) {
        p.setString(1, u.id());
        p.setString(2, u.username());
        p.setString(3, u.passwordHash());
        p.setString(4, String.join(",", u.roles()));
        p.setTimestamp(5, Timestamp.from(u.createdAt()));
        return p.executeUpdate() == 1;
      }
    });
  }

  @Override
  public Optional<User> userByName(String username) {
    return findUser("username", username);
  }

  @Override
  public Optional<User> userById(String id) {
    return findUser("id", id);
  }

  private Optional<User> findUser(String column, String value) {
    String sql = "id".equals(column)
        ? "SELECT id, username, password_hash, roles, created_at FROM sample_users WHERE id = ?"
        : "SELECT id, username, password_hash, roles, created_at FROM sample_users WHERE username = ?";
    return tx(c -> {
      try (PreparedStatement p = c.prepareStatement(sql)) {
        p.setString(1, value);
        try (ResultSet r = p.executeQuery()) {
          if (!r.next()) {
            return Optional.empty();
          }
          Set<String> roles = new LinkedHashSet<>();
          for (String role : r.getString(4).split(",")) {
            if (!role.isEmpty()) {
              roles.add(role);
            }
          }
          return Optional.of(new User(r.getString(1), r.getString(2), r.getString(3), roles, r.getTimestamp(5).toInstant()));
        }
      }
    });
  }

  @Override
  public long userCount() {
    return tx(c -> {
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM sample_users")) {
        r.next();
        return r.getLong(1);
      }
    });
  }

  @Override
  public void updatePasswordHash(String userId, String hash) {
    update("UPDATE sample_users SET password_hash = ? WHERE id = ?", hash, userId);
  }

  @Override
  public void deleteUser(String userId) {
    update("DELETE FROM sample_users WHERE id = ?", userId);
  }

  private void update(String sql, String... args) {
    tx(c -> {
      try (PreparedStatement p = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          p.setString(i + 1, args[i]);
        }
        return p.executeUpdate();
      }
    });
  }

  @Override
  public void addNote(NoteRow n) {
    tx(c -> {
      try (PreparedStatement p = c.prepareStatement(
          "INSERT INTO sample_notes (id, owner_id, ciphertext, created_at) VALUES (?, ?, ?, ?)")) {
        p.setString(1, n.id());
        p.setString(2, n.ownerId());
        p.setString(3, n.ciphertextBase64());
        p.setTimestamp(4, Timestamp.from(n.createdAt()));
        return p.executeUpdate();
      }
    });
  }

  @Override
  public List<NoteRow> notesOf(String ownerId) {
    return tx(c -> {
      try (PreparedStatement p = c.prepareStatement(
          "SELECT id, owner_id, ciphertext, created_at FROM sample_notes WHERE owner_id = ? ORDER BY created_at DESC")) {
        p.setString(1, ownerId);
        List<NoteRow> out = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            out.add(new NoteRow(r.getString(1), r.getString(2), r.getString(3), r.getTimestamp(4).toInstant()));
          }
        }
        return out;
      }
    });
  }

  @Override
  public Optional<NoteRow> note(String noteId) {
    return tx(c -> {
      try (PreparedStatement p = c.prepareStatement(
          "SELECT id, owner_id, ciphertext, created_at FROM sample_notes WHERE id = ?")) {
        p.setString(1, noteId);
        try (ResultSet r = p.executeQuery()) {
          return r.next()
              ? Optional.of(new NoteRow(r.getString(1), r.getString(2), r.getString(3), r.getTimestamp(4).toInstant()))
              : Optional.<NoteRow>empty();
        }
      }
    });
  }

  @Override
  public boolean updateNote(String noteId, String ciphertextBase64) {
    return tx(c -> {
      try (PreparedStatement p = c.prepareStatement("UPDATE sample_notes SET ciphertext = ? WHERE id = ?")) {
        p.setString(1, ciphertextBase64);
        p.setString(2, noteId);
        return p.executeUpdate();
      }
    }) == 1;
  }

  @Override
  public void forgetNote(String noteId) {
    // The purge deleted the row itself.
  }

  @Override
  public TotpCredentialStore totpCredentials() {
    return totp;
  }

  @Override
  public void close() {
    // The DataSource has no pool to close.
  }

  private final class Totp implements TotpCredentialStore {
    @Override
    public Optional<TotpCredential> find(String accountId) {
      return tx(c -> {
        try (PreparedStatement p = c.prepareStatement("SELECT credential_id, protected_seed, algorithm, digits,"
            + " period_seconds, window_steps, enrolled_at FROM sample_totp WHERE account_id = ?")) {
          p.setString(1, accountId);
          try (ResultSet r = p.executeQuery()) {
            if (!r.next()) {
              return Optional.<TotpCredential>empty();
            }
            byte[] seed = r.getBytes(2);
            try {
              TotpSettings settings = new TotpSettings(TotpAlgorithm.valueOf(r.getString(3)), r.getInt(4),
                  Duration.ofSeconds(r.getLong(5)), r.getInt(6));
              return Optional.of(new TotpCredential(accountId, r.getString(1), seed, settings, r.getTimestamp(7).toInstant()));
            } finally {
              Arrays.fill(seed, (byte) 0);
            }
          }
        }
      });
    }

    @Override
    public void save(TotpCredential t) {
      tx(c -> {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO sample_totp (account_id, credential_id, protected_seed,"
            + " algorithm, digits, period_seconds, window_steps, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (account_id) DO UPDATE SET credential_id = EXCLUDED.credential_id,"
            + " protected_seed = EXCLUDED.protected_seed, algorithm = EXCLUDED.algorithm, digits = EXCLUDED.digits,"
            + " period_seconds = EXCLUDED.period_seconds, window_steps = EXCLUDED.window_steps,"
            + " enrolled_at = EXCLUDED.enrolled_at")) {
          p.setString(1, t.accountId());
          p.setString(2, t.credentialId());
          p.setBytes(3, t.protectedSeed());
          p.setString(4, t.settings().algorithm().name());
          p.setInt(5, t.settings().digits());
          p.setLong(6, t.settings().period().toSeconds());
          p.setInt(7, t.settings().window());
          p.setTimestamp(8, Timestamp.from(t.enrolledAt()));
          return p.executeUpdate();
        }
      });
    }

    @Override
    public boolean delete(String accountId) {
      return tx(c -> {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM sample_totp WHERE account_id = ?")) {
          p.setString(1, accountId);
          return p.executeUpdate() == 1;
        }
      });
    }
  }
}
