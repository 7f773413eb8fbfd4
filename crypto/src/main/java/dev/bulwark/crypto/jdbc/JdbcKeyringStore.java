package dev.bulwark.crypto.jdbc;

import com.google.crypto.tink.Aead;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.crypto.CryptoStoreException;
import dev.bulwark.crypto.KeyringIntegrityException;
import dev.bulwark.crypto.internal.KeyringCodec;
import dev.bulwark.crypto.spi.KeyringRecord;
import dev.bulwark.crypto.spi.KeyringStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A {@link KeyringStore} in a SQL database shared by every application node (written for
 * PostgreSQL; any database with {@code bytea}, {@code varchar} and {@code bigint} columns works).
 * Its table {@code bulwark_crypto_keyring} comes from the migration published under
 * {@code db/migration/bulwark-crypto/} (hand it to Flyway or Liquibase and build with
 * {@code createSchema(false)}), or the store applies it on first use through bulwark-common's
 * {@link JdbcSchema} (one transaction behind an advisory lock); either way it checks, read-only,
 * that the table is there with the expected columns.
 *
 * <p>One row per keyring: {@code keyring_id}, {@code revision}, {@code shredded} and
 * {@code record}, the record sealed (AES-256-GCM through the master {@link Aead}) with associated
 * data that names the keyring and the revision. A record holds only KEK references, which for
 * local KEKs are themselves wrapped under the master key; sealing the whole record also means
 * that someone who can write to the table cannot forge a key state (re-enable a disabled version,
 * lower the minimum decryptable version, move a record to another keyring): the store refuses a
 * record that does not open with its own id and revision. {@code revision} and {@code shredded}
 * are in the clear so that the database can do the compare-and-set and operators can see
 * tombstones.
 *
 * <p>Compare-and-set is one statement: {@code INSERT} for a new keyring (the primary key makes a
 * second creator fail) and {@code UPDATE ... WHERE revision = ? AND NOT shredded} otherwise. Two
 * nodes rotating or shredding at once therefore never both win a revision, a lost race changes
 * nothing, and a tombstone is final: no write can replace it, so a shredded scope is never
 * re-created.
 *
 * <p>Thread-safe; holds no connection between calls. Depends on no driver.
 */
public final class JdbcKeyringStore implements KeyringStore {
  private static final String TABLE = "bulwark_crypto_keyring";
  private static final byte[] AAD_LABEL = "bulwark keyring record v1".getBytes(StandardCharsets.US_ASCII);

  /** The migration and the columns this store reads. */
  static final JdbcSchema SCHEMA = JdbcSchema.builder("crypto", JdbcKeyringStore.class)
      .migrations("V1__tables.sql")
      .table(TABLE, "keyring_id varchar", "revision int8", "shredded bool", "record bytea")
      .build();

  private final Jdbc jdbc;
  private final Aead master;

  /**
   * A store over {@code dataSource}, sealing records under {@code master} (use the same master
   * key on every node, e.g. {@code KekProviders.masterKey(bytes)} or a KMS {@code Aead}); applies
   * the migration when the table is missing ({@code createSchema(true)}).
   *
   * @throws CryptoStoreException if the table can neither be created nor read
   */
  public JdbcKeyringStore(DataSource dataSource, Aead master) {
    this(builder(dataSource, master));
  }

  private JdbcKeyringStore(Builder b) {
    this.jdbc = Jdbc.of(b.dataSource, CryptoStoreException::new);
    this.master = b.master;
    SCHEMA.apply(b.dataSource, b.createSchema, CryptoStoreException::new);
  }

  /** A store over {@code dataSource} sealing records under {@code master}; see {@link Builder}. */
  public static Builder builder(DataSource dataSource, Aead master) {
    return new Builder(dataSource, master);
  }

  /** Configures a {@link JdbcKeyringStore}; defaults in brackets. */
  public static final class Builder {
    private final DataSource dataSource;
    private final Aead master;
    private boolean createSchema = true;

    private Builder(DataSource dataSource, Aead master) {
      if (dataSource == null || master == null) {
        throw new IllegalArgumentException("dataSource and master are required");
      }
      this.dataSource = dataSource;
      this.master = master;
    }

    /**
     * Whether the store applies the missing migration when built [true]. With false it runs no DDL
     * and only checks, read-only, that the host's migrations created the table (the runtime role
     * then needs no CREATE right).
     */
    public Builder createSchema(boolean create) {
      this.createSchema = create;
      return this;
    }

    /** @throws CryptoStoreException if the table is missing (or cannot be created) or unreadable */
    public JdbcKeyringStore build() {
      return new JdbcKeyringStore(this);
    }
  }

  private static byte[] aad(String keyringId, long revision) {
    byte[] id = keyringId.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[AAD_LABEL.length + 1 + id.length + 8];
    System.arraycopy(AAD_LABEL, 0, out, 0, AAD_LABEL.length);
    int off = AAD_LABEL.length;
    out[off++] = (byte) id.length;
    System.arraycopy(id, 0, out, off, id.length);
    off += id.length;
    for (int i = 7; i >= 0; i--) {
      out[off++] = (byte) (revision >>> (8 * i));
    }
    return out;
  }

  private byte[] seal(KeyringRecord r) {
    try {
      return master.encrypt(KeyringCodec.encode(List.of(r)), aad(r.keyringId(), r.revision()));
    } catch (GeneralSecurityException e) {
      throw new CryptoStoreException("cannot seal keyring record '" + r.keyringId() + "' under the master key", e);
    }
  }

  private KeyringRecord open(String keyringId, long revision, byte[] sealed) throws KeyringIntegrityException {
    byte[] plain;
    try {
      plain = master.decrypt(sealed, aad(keyringId, revision));
    } catch (GeneralSecurityException e) {
      throw new KeyringIntegrityException("keyring record '" + keyringId + "' (revision " + revision
          + ") does not authenticate under the master key: altered, moved, or sealed under another master key");
    }
    List<KeyringRecord> decoded = KeyringCodec.decode(plain);
    if (decoded.size() != 1 || !decoded.get(0).keyringId().equals(keyringId)
        || decoded.get(0).revision() != revision) {
      throw new KeyringIntegrityException("keyring record '" + keyringId + "' is corrupt");
    }
    return decoded.get(0);
  }

  @Override
  public Optional<KeyringRecord> load(String keyringId) throws KeyringIntegrityException {
    KeyringRecord.validateId(keyringId);
    Optional<Row> row = jdbc.run("read keyring '" + keyringId + "'", c -> {
      try (PreparedStatement p = c.prepareStatement("SELECT revision, shredded, record FROM " + TABLE
          + " WHERE keyring_id = ?")) {
        p.setString(1, keyringId);
        try (ResultSet rs = p.executeQuery()) {
          return rs.next() ? Optional.of(new Row(rs.getLong(1), rs.getBoolean(2), rs.getBytes(3))) : Optional.empty();
        }
      }
    });
    if (row.isEmpty()) {
      return Optional.empty();
    }
    KeyringRecord r = open(keyringId, row.get().revision(), row.get().record());
    if (r.shreddedAt().isPresent() != row.get().shredded()) {
      throw new KeyringIntegrityException("keyring record '" + keyringId + "' disagrees with its row");
    }
    return Optional.of(r);
  }

  /** One row as read, before the record is opened. */
  private record Row(long revision, boolean shredded, byte[] record) {}

  @Override
  public boolean compareAndSet(long expectedRevision, KeyringRecord next) {
    if (next.revision() != expectedRevision + 1) {
      throw new IllegalArgumentException("next.revision must be expectedRevision + 1");
    }
    byte[] sealed = seal(next);
    return jdbc.run("write keyring '" + next.keyringId() + "' (it is unchanged)", c -> {
      boolean auto = c.getAutoCommit();
      if (!auto) {
        // Each write is one statement in its own transaction, whatever the pool's default.
        c.setAutoCommit(true);
      }
      try {
        return expectedRevision == 0 ? insert(c, next, sealed) : update(c, expectedRevision, next, sealed);
      } finally {
        if (!auto) {
          c.setAutoCommit(false);
        }
      }
    });
  }

  private static boolean insert(Connection c, KeyringRecord next, byte[] sealed) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO " + TABLE
        + " (keyring_id, revision, shredded, record) VALUES (?, ?, ?, ?)")) {
      p.setString(1, next.keyringId());
      p.setLong(2, next.revision());
      p.setBoolean(3, next.shreddedAt().isPresent());
      p.setBytes(4, sealed);
      return p.executeUpdate() == 1;
    } catch (SQLException e) {
      if (isIntegrityViolation(e)) {
        return false; // the keyring exists (perhaps as a tombstone): never overwritten by a create
      }
      throw e;
    }
  }

  private static boolean update(Connection c, long expectedRevision, KeyringRecord next, byte[] sealed)
      throws SQLException {
    try (PreparedStatement p = c.prepareStatement("UPDATE " + TABLE
        + " SET revision = ?, shredded = ?, record = ? WHERE keyring_id = ? AND revision = ? AND NOT shredded")) {
      p.setLong(1, next.revision());
      p.setBoolean(2, next.shreddedAt().isPresent());
      p.setBytes(3, sealed);
      p.setString(4, next.keyringId());
      p.setLong(5, expectedRevision);
      return p.executeUpdate() == 1;
    }
  }

  /** SQLSTATE class 23 (integrity constraint violation): here, the keyring exists already. */
  private static boolean isIntegrityViolation(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      String state = x.getSQLState();
      if (state != null && state.startsWith("23")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public List<String> keyringIds() {
    return jdbc.run("list keyrings", c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT keyring_id FROM " + TABLE)) {
        List<String> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
        ids.sort(null); // Java's order, not the database collation's
        return ids;
      }
    });
  }

  @Override
  public String toString() {
    return "JdbcKeyringStore[" + TABLE + "]";
  }
}
