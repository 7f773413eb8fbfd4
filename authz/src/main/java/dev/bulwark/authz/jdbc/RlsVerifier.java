package dev.bulwark.authz.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The startup check: connects as the application role and refuses a database in which row-level
 * security on the tenant tables can be bypassed. Run it before serving traffic and stop if it
 * throws.
 *
 * <p>Findings: the role is superuser or has {@code BYPASSRLS}, or may {@code SET ROLE} to one
 * that is; the role owns (or is a member of the owner of) a tenant table; a tenant table is
 * missing, has row-level security disabled, not forced, no policy, or a policy for
 * {@code INSERT}/{@code UPDATE}/{@code ALL} without {@code WITH CHECK}; a view over a tenant table
 * is not {@code security_invoker} (it would read with its owner's rights); a materialized view
 * holds a tenant table's rows (row-level security does not apply to it).
 *
 * <p>It reads the catalog only and changes nothing. Thread-safe.
 */
public final class RlsVerifier {

  /** One way around row-level security. */
  public record Finding(Kind kind, String object, String detail) {
    public Finding {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(object, "object");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
      return kind + " " + object + ": " + detail;
    }
  }

  /** The kinds of bypass the verifier looks for. */
  public enum Kind {
    SUPERUSER, BYPASSRLS, CAN_SET_ROLE_TO_BYPASS, OWNS_TABLE, TABLE_MISSING, RLS_DISABLED, RLS_NOT_FORCED, NO_POLICY,
    POLICY_WITHOUT_WITH_CHECK, VIEW_NOT_SECURITY_INVOKER, MATERIALIZED_VIEW
  }

  /** Thrown by {@link #requireSafe} with every finding. */
  public static final class RlsBypassException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final transient List<Finding> findings;

    RlsBypassException(List<Finding> findings) {
      super("row-level security can be bypassed: " + findings);
      this.findings = List.copyOf(findings);
    }

    public List<Finding> findings() {
      return findings;
    }
  }

  private RlsVerifier() {}

  /**
   * Throws unless {@link #verify} finds nothing.
   *
   * @param applicationRole connections as the role the application uses for tenant data
   * @param tenantTables the tenant tables, optionally schema-qualified
   * @throws RlsBypassException listing every finding
   */
  public static void requireSafe(DataSource applicationRole, List<String> tenantTables) throws SQLException {
    List<Finding> findings = verify(applicationRole, tenantTables);
    if (!findings.isEmpty()) {
      throw new RlsBypassException(findings);
    }
  }

  /** Every finding, in a stable order; empty when row-level security holds. */
  public static List<Finding> verify(DataSource applicationRole, List<String> tenantTables) throws SQLException {
    Objects.requireNonNull(applicationRole, "applicationRole");
    if (tenantTables.isEmpty()) {
      throw new IllegalArgumentException("name at least one tenant table");
    }
    List<Finding> out = new ArrayList<>();
    try (Connection c = applicationRole.getConnection()) {
      String role;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("cannot read the current role from pg_roles");
        }
        role = rs.getString(1);
        if (rs.getBoolean(2)) {
          out.add(new Finding(Kind.SUPERUSER, role, "superusers bypass row-level security"));
        }
        if (rs.getBoolean(3)) {
          out.add(new Finding(Kind.BYPASSRLS, role, "the role has BYPASSRLS"));
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT rolname FROM pg_roles WHERE rolname <> current_user"
          + " AND (rolsuper OR rolbypassrls) AND pg_has_role(current_user, oid, 'MEMBER') ORDER BY rolname");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Finding(Kind.CAN_SET_ROLE_TO_BYPASS, role, "member of " + rs.getString(1)
              + ", which bypasses row-level security"));
        }
      }
      for (String table : tenantTables) {
        checkTable(c, table, out);
      }
    }
    return out;
  }

  private static void checkTable(Connection c, String table, List<Finding> out) throws SQLException {
    Objects.requireNonNull(table, "table");
    long oid;
    try (PreparedStatement ps = c.prepareStatement("SELECT c.oid, c.relrowsecurity, c.relforcerowsecurity,"
        + " pg_has_role(current_user, c.relowner, 'MEMBER'), c.oid::regclass::text FROM pg_class c"
        + " WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p')")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          out.add(new Finding(Kind.TABLE_MISSING, table, "no such table visible to the application role"));
          return;
        }
        oid = rs.getLong(1);
        String name = rs.getString(5);
        if (!rs.getBoolean(2)) {
          out.add(new Finding(Kind.RLS_DISABLED, name, "row level security is not enabled"));
        }
        if (!rs.getBoolean(3)) {
          out.add(new Finding(Kind.RLS_NOT_FORCED, name, "row level security is not forced (the owner bypasses it)"));
        }
        if (rs.getBoolean(4)) {
          out.add(new Finding(Kind.OWNS_TABLE, name, "the application role owns the table"));
        }
        table = name;
      }
    }
    int policies = 0;
    try (PreparedStatement ps = c.prepareStatement("SELECT polname, polcmd, polwithcheck IS NOT NULL FROM pg_policy"
        + " WHERE polrelid = ? ORDER BY polname")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          policies++;
          String cmd = rs.getString(2);
          if (("*".equals(cmd) || "a".equals(cmd) || "w".equals(cmd)) && !rs.getBoolean(3)) {
            out.add(new Finding(Kind.POLICY_WITHOUT_WITH_CHECK, table + " policy " + rs.getString(1),
                "no WITH CHECK: rows may be written into another organization"));
          }
        }
      }
    }
    if (policies == 0) {
      out.add(new Finding(Kind.NO_POLICY, table, "no row level security policy"));
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT v.oid::regclass::text, v.relkind,"
        + " EXISTS (SELECT 1 FROM unnest(coalesce(v.reloptions, '{}')) o WHERE lower(o) IN"
        + " ('security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'))"
        + " FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class"
        + " WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass"
        + " AND d.refobjid = ? AND v.oid <> ? ORDER BY 1")) {
      ps.setLong(1, oid);
      ps.setLong(2, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String view = rs.getString(1);
          if ("m".equals(rs.getString(2))) {
            out.add(new Finding(Kind.MATERIALIZED_VIEW, view, "materialized view over " + table
                + ": row level security does not apply to it"));
          } else if (!rs.getBoolean(3)) {
            out.add(new Finding(Kind.VIEW_NOT_SECURITY_INVOKER, view, "view over " + table
                + " runs with its owner's rights (set security_invoker = true)"));
          }
        }
      }
    }
  }
}
