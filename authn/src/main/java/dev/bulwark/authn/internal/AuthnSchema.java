package dev.bulwark.authn.internal;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.internal.jdbc.JdbcStoreSettings;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * bulwark-authn's PostgreSQL schema: the migration files published under
 * {@code db/migration/bulwark-authn/} and, per JDBC store, the tables and column types it
 * reads. Every store applies the same migrations (recorded once in
 * {@code bulwark_schema_history} under module {@code authn}) and checks only its own tables.
 */
public final class AuthnSchema {

  /** The migration files, in version order. */
  private static final String[] MIGRATIONS = {"V1__tables.sql", "V2__timestamptz.sql", "V3__session_authorities.sql",
      "V4__totp_stores.sql"};

  private AuthnSchema() {}

  /** A schema builder with the module's migrations; add the store's tables and build. */
  public static JdbcSchema.Builder builder() {
    return JdbcSchema.builder("authn", AuthnSchema.class).migrations(MIGRATIONS);
  }

  /**
   * Applies the migrations ({@code create}) or only checks the tables (not {@code create}).
   *
   * @throws AuthnStoreException if the tables cannot be made, are missing or have other columns
   */
  public static void apply(JdbcSchema schema, DataSource dataSource, boolean create) {
    schema.apply(dataSource, create, AuthnSchema::failure);
  }

  /**
   * Applies the migrations or only checks the tables, as {@code builder} says, and returns the
   * store's transaction helper, failing with {@link AuthnStoreException}.
   *
   * @throws AuthnStoreException if the tables cannot be made, are missing or have other columns
   */
  public static Jdbc open(JdbcStoreBuilder<?, ?> builder, JdbcSchema schema) {
    return JdbcStoreSettings.of(builder).open(schema, AuthnSchema::failure).jdbc();
  }

  /** The store exception for a failed operation; the message names the operation only. */
  public static AuthnStoreException failure(String what, SQLException cause) {
    return new AuthnStoreException(what, cause);
  }
}
