package dev.bulwark.samples.notes;

import dev.bulwark.authz.jdbc.RlsPolicies;
import dev.bulwark.authz.jdbc.RlsVerifier;
import dev.bulwark.authz.jdbc.TenantDataSource;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
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
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The sample's tables in PostgreSQL ({@code --postgres}), in the deployment shape row-level
 * security needs: {@link #migrate} runs the DDL as the tables' owner (a migration role), and the
 * store itself runs as the application role, which owns none of these tables, is not superuser
 * and has no {@code BYPASSRLS}.
 *
 * <ul>
 *   <li>{@code sample_notes}: the note's ciphertext, organization ({@code org_id}) and owner. A
 *       tenant table: {@code ENABLE} and {@code FORCE ROW LEVEL SECURITY} and bulwark-authz's
 *       policy ({@link RlsPolicies}) on {@code org_id}, in {@code USING} and {@code WITH CHECK}.
 *       Every statement on it runs in a {@link TenantDataSource} unit of work (or its one-round-trip
 *       {@code query}) for the organization the caller names, so a note of another organization
 *       is invisible and cannot be written, whatever id the request carries.
 *   <li>{@code sample_note_lifecycle}: the lifecycle columns of each note ({@code deleted_at},
 *       {@code purge_after}, {@code delete_op}) and its owner, no content. bulwark-lifecycle
 *       soft-deletes, restores and purges these rows directly; its purge runs across
 *       organizations, so this table is not a tenant table. The note row references it with
 *       {@code ON DELETE CASCADE}, so a purge or an erasure deletes the ciphertext with it.
 *   <li>{@code sample_users}: accounts (not scoped to an organization: sign-in happens before one
 *       is chosen). TOTP credentials are in authn's tables (the starter's stores).
 * </ul>
 */
final class JdbcAppStore implements AppStore {

  /** The tenant table: protected by row-level security. */
  static final String NOTES_TABLE = "sample_notes";
  /** The table bulwark-lifecycle maps the {@code note} data class to. */
  static final String NOTE_LIFECYCLE_TABLE = "sample_note_lifecycle";
  /** The tables {@link RlsVerifier} checks at startup. */
  static final List<String> TENANT_TABLES = List.of(NOTES_TABLE);
  /** The organization column of the tenant table. */
  static final String ORG_COLUMN = "org_id";

  private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS sample_users (id text PRIMARY KEY, username text NOT NULL UNIQUE,"
        + " password_hash text NOT NULL, roles text NOT NULL, created_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sample_note_lifecycle (id text PRIMARY KEY, owner_id text NOT NULL,"
        + " created_at timestamptz NOT NULL, deleted_at timestamptz, purge_after timestamptz, delete_op text)",
    "CREATE INDEX IF NOT EXISTS sample_note_lifecycle_owner ON sample_note_lifecycle (owner_id)",
    "CREATE INDEX IF NOT EXISTS sample_note_lifecycle_purge_after ON sample_note_lifecycle (purge_after)"
        + " WHERE purge_after IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS sample_notes (id text PRIMARY KEY"
        + " REFERENCES sample_note_lifecycle (id) ON DELETE CASCADE, org_id text NOT NULL, owner_id text NOT NULL,"
        + " ciphertext text NOT NULL, created_at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sample_notes_org_owner ON sample_notes (org_id, owner_id)",
  };

  private static final String NOTE_COLUMNS = "id, org_id, owner_id, ciphertext, created_at";

  private final DataSource ds;
  private final TenantDataSource tenants;

  /** The store, running as the application role {@code ds} connects as. */
  JdbcAppStore(DataSource ds) {
    this.ds = ds;
    this.tenants = new TenantDataSource(ds);
  }

  /** Whether {@code role} is a role name the sample accepts (it is written into GRANT statements). */
  static boolean validRoleName(String role) {
    return role != null && ROLE.matcher(role).matches();
  }

  /**
   * The migration, run as the owner of the tables ({@code owner}, in the schema its connections
   * use): the sample's tables, row-level security on the tenant table, bulwark-lifecycle's
   * tables, the application role when it does not exist yet (only if the owner may create roles),
   * and the application role's rights: {@code USAGE} and {@code CREATE} on the schema (the authn,
   * audit, authz and rate-limit stores create their own tables when they open) and
   * {@code SELECT, INSERT, UPDATE, DELETE} on the sample's and lifecycle's tables. It never makes
   * the application role own a table of the sample's. Idempotent; serialised against itself.
   *
   * @throws SQLException when the database refuses, the application role is missing and cannot be
   *     created, or {@code sample_notes} predates organization-scoped notes
   */
  static void migrate(DataSource owner, String applicationRole) throws SQLException {
    if (!validRoleName(applicationRole)) {
      throw new IllegalArgumentException("application role must match [a-z_][a-z0-9_]{0,62}");
    }
    JdbcLifecycleStore.createSchema(owner);
    try (Connection c = owner.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        // CREATE TABLE IF NOT EXISTS is not atomic in PostgreSQL: two instances starting at once race
        // in the catalog. One transaction behind an advisory lock makes the second wait instead.
        s.execute("SELECT pg_advisory_xact_lock(hashtext('bulwark.samples.schema'))");
        requireCurrentNotesTable(c);
        for (String sql : SCHEMA) {
          s.execute(sql);
        }
        for (String sql : RlsPolicies.forTable(NOTES_TABLE, ORG_COLUMN).statements()) {
          s.execute(sql);
        }
        ensureRole(c, applicationRole);
        List<String> tables = new ArrayList<>(List.of("sample_users", NOTE_LIFECYCLE_TABLE, NOTES_TABLE));
        tables.addAll(JdbcLifecycleStore.tableNames());
        // Role and table names are checked identifiers; the schema is quoted by the database.
        s.execute("DO $$ BEGIN EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO " + applicationRole
            + "', current_schema()); EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO "
            + applicationRole + "', current_schema()); END $$");
        s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + String.join(", ", tables) + " TO " + applicationRole);
        // The schema history every module records its migrations in, when the owner's migration
        // made it: the stores the application role opens read and extend it.
        s.execute("DO $$ BEGIN IF to_regclass('" + JdbcSchema.HISTORY_TABLE + "') IS NOT NULL THEN"
            + " EXECUTE 'GRANT SELECT, INSERT, UPDATE ON " + JdbcSchema.HISTORY_TABLE + " TO " + applicationRole
            + "'; END IF; END $$");
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /** An earlier version kept notes without an organization: refuse rather than guess one. */
  private static void requireCurrentNotesTable(Connection c) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT"
        + " EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?),"
        + " EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
        + " AND table_name = ? AND column_name = ?)")) {
      p.setString(1, NOTES_TABLE);
      p.setString(2, NOTES_TABLE);
      p.setString(3, ORG_COLUMN);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        if (r.getBoolean(1) && !r.getBoolean(2)) {
          throw new SQLException(NOTES_TABLE + " was made by an earlier version of the sample (notes without an"
              + " organization); use another schema, or drop the sample_* tables");
        }
      }
    }
  }

  private static void ensureRole(Connection c, String role) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?),"
        + " (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user)")) {
      p.setString(1, role);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        if (r.getBoolean(1)) {
          return;
        }
        if (!r.getBoolean(2)) {
          throw new SQLException("the application role " + role + " does not exist and the owner role may not create"
              + " roles: create it (LOGIN NOSUPERUSER NOBYPASSRLS) or name an existing one with --pg-user");
        }
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE");
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

  /** One unit of work confined to {@code org} by row-level security. */
  private <T> T inOrg(String org, TenantDataSource.UnitOfWork<T> work) {
    try {
      return tenants.inTenant(org, work);
    } catch (SQLException e) {
      throw new IllegalStateException("database error: " + e.getMessage(), e);
    }
  }

  private List<NoteRow> queryNotes(String org, String where, String... args) {
    try {
      return tenants.query(org, "SELECT " + NOTE_COLUMNS + " FROM sample_notes WHERE " + where, (p, first) -> {
        for (int i = 0; i < args.length; i++) {
          p.setString(first + i, args[i]);
        }
      }, r -> new NoteRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getTimestamp(5).toInstant()));
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
    inOrg(n.orgId(), c -> {
      try (PreparedStatement p = c.prepareStatement(
          "INSERT INTO sample_note_lifecycle (id, owner_id, created_at) VALUES (?, ?, ?)")) {
        p.setString(1, n.id());
        p.setString(2, n.ownerId());
        p.setTimestamp(3, Timestamp.from(n.createdAt()));
        p.executeUpdate();
      }
      try (PreparedStatement p = c.prepareStatement(
          "INSERT INTO sample_notes (" + NOTE_COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
        p.setString(1, n.id());
        p.setString(2, n.orgId());
        p.setString(3, n.ownerId());
        p.setString(4, n.ciphertextBase64());
        p.setTimestamp(5, Timestamp.from(n.createdAt()));
        return p.executeUpdate();
      }
    });
  }

  @Override
  public List<NoteRow> notesOf(String org, String ownerId) {
    return queryNotes(org, "owner_id = ? ORDER BY created_at DESC", ownerId);
  }

  @Override
  public Optional<NoteRow> note(String org, String noteId) {
    return queryNotes(org, "id = ?", noteId).stream().findFirst();
  }

  @Override
  public boolean updateNote(String org, String noteId, String ciphertextBase64) {
    return inOrg(org, c -> {
      try (PreparedStatement p = c.prepareStatement("UPDATE sample_notes SET ciphertext = ? WHERE id = ?")) {
        p.setString(1, ciphertextBase64);
        p.setString(2, noteId);
        return p.executeUpdate();
      }
    }) == 1;
  }

  @Override
  public void forgetNote(String org, String noteId) {
    // The purge or erasure deleted the lifecycle row, and the note row went with it (ON DELETE CASCADE).
  }

  @Override
  public void close() {
    // The DataSource has no pool to close.
  }
}
