package dev.bulwark.authz.jdbc;

import dev.bulwark.authz.PgSchema;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;

/**
 * A schema owned by the superuser with one tenant table ({@code notes}) under the generated
 * policies, a security_invoker view, a security invoker function, and a dedicated login role
 * that owns nothing and has only DML grants.
 */
final class ReferenceSchema implements AutoCloseable {

  final PgSchema db;
  final String appRole;

  ReferenceSchema(String prefix) throws SQLException {
    db = new PgSchema(prefix);
    byte[] b = new byte[5];
    new SecureRandom().nextBytes(b);
    appRole = "bulwark_app_" + HexFormat.of().formatHex(b);
    List<String> ddl = new ArrayList<>(List.of(
        "CREATE ROLE " + appRole + " LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT",
        "CREATE TABLE notes (id bigserial PRIMARY KEY, tenant_id text NOT NULL, body text NOT NULL)",
        "CREATE INDEX notes_tenant ON notes (tenant_id, id)"));
    ddl.addAll(RlsPolicies.forTable("notes", "tenant_id").statements());
    ddl.addAll(List.of(
        "CREATE VIEW notes_v WITH (security_invoker = true) AS SELECT id, tenant_id, body FROM notes",
        "CREATE FUNCTION notes_fn() RETURNS SETOF notes LANGUAGE sql STABLE SECURITY INVOKER AS 'SELECT * FROM notes'",
        "GRANT USAGE ON SCHEMA " + db.name + " TO " + appRole,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON notes, notes_v TO " + appRole,
        "GRANT USAGE ON SEQUENCE notes_id_seq TO " + appRole,
        "GRANT EXECUTE ON FUNCTION notes_fn() TO " + appRole,
        "INSERT INTO notes (tenant_id, body) VALUES ('a', 'a1'), ('a', 'a2'), ('b', 'b1'), ('b', 'b2'), ('b', 'b3')"));
    db.execute(ddl.toArray(new String[0]));
  }

  DataSource app() {
    return db.as(appRole);
  }

  @Override
  public void close() throws SQLException {
    db.close();
    PgSchema.execute(db.dataSource(db.user, null), "DROP OWNED BY " + appRole, "DROP ROLE " + appRole);
  }
}
