package dev.bulwark.authz.jdbc;

import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A schema owned by the superuser with one tenant table ({@code notes}) under the generated
 * policies, a security_invoker view, a security invoker function, and a dedicated login role
 * that owns nothing and has only DML grants.
 */
final class ReferenceSchema implements AutoCloseable {

  final PostgresSchema db;
  final String appRole;

  ReferenceSchema(String prefix) throws SQLException {
    db = PostgresSchema.create(prefix);
    // Named after the schema, so the fixture drops the role with it.
    appRole = db.name() + "_app";
    List<String> ddl = new ArrayList<>(List.of(
        "CREATE ROLE " + appRole + " LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT",
        "CREATE TABLE notes (id bigserial PRIMARY KEY, tenant_id text NOT NULL, body text NOT NULL)",
        "CREATE INDEX notes_tenant ON notes (tenant_id, id)"));
    ddl.addAll(RlsPolicies.forTable("notes", "tenant_id").statements());
    ddl.addAll(List.of(
        "CREATE VIEW notes_v WITH (security_invoker = true) AS SELECT id, tenant_id, body FROM notes",
        "CREATE FUNCTION notes_fn() RETURNS SETOF notes LANGUAGE sql STABLE SECURITY INVOKER AS 'SELECT * FROM notes'",
        "GRANT USAGE ON SCHEMA " + db.name() + " TO " + appRole,
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
  }
}
