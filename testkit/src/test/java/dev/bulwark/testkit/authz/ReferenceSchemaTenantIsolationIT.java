package dev.bulwark.testkit.authz;

import dev.bulwark.authz.jdbc.RlsPolicies;
import dev.bulwark.authz.jdbc.RlsVerifier;
import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The tenant isolation contract on a reference schema: a notes table under the generated
 * policies, a security_invoker view, a security invoker function, and a login role that owns
 * nothing. The verifier must pass it first.
 */
class ReferenceSchemaTenantIsolationIT extends TenantIsolationContract {

  static PostgresSchema db;
  static String role;
  static DataSource app;

  @BeforeAll
  static void createSchema() throws Exception {
    db = PostgresSchema.create("authz_iso");
    // Named after the schema, so the fixture drops the role with it.
    role = db.name() + "_app";
    List<String> ddl = new ArrayList<>(List.of(
        "CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS",
        "CREATE TABLE notes (id bigserial PRIMARY KEY, tenant_id text NOT NULL, body text NOT NULL)"));
    ddl.addAll(RlsPolicies.forTable("notes", "tenant_id").statements());
    ddl.addAll(List.of(
        "CREATE VIEW notes_v WITH (security_invoker = true) AS SELECT tenant_id, id, body FROM notes",
        "CREATE FUNCTION notes_search(q text) RETURNS SETOF notes LANGUAGE sql STABLE SECURITY INVOKER"
            + " AS 'SELECT * FROM notes WHERE body LIKE ''%'' || q || ''%'''",
        "GRANT USAGE ON SCHEMA " + db.name() + " TO " + role,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON notes, notes_v TO " + role,
        "GRANT USAGE ON SEQUENCE notes_id_seq TO " + role,
        "GRANT EXECUTE ON FUNCTION notes_search(text) TO " + role,
        "INSERT INTO notes (tenant_id, body) VALUES ('org-a', 'a1'), ('org-a', 'a2'), ('org-b', 'b1')"));
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String sql : ddl) {
        s.execute(sql);
      }
    }
    app = db.as(role);
    RlsVerifier.requireSafe(app, List.of("notes"));
  }

  @AfterAll
  static void dropSchema() throws Exception {
    db.close();
  }

  @Override
  protected Fixture fixture() {
    return new Fixture(app, "notes", "tenant_id", "org-a", "org-b",
        List.of("SELECT tenant_id FROM notes_v", "SELECT tenant_id FROM notes_search('')"),
        (c, tenant) -> {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO notes (tenant_id, body) VALUES (?, 'probe')")) {
            ps.setString(1, tenant);
            ps.executeUpdate();
          }
        });
  }
}
