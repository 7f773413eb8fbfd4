package dev.bulwark.authz.jdbc;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Generates the PostgreSQL statements that confine a tenant table to the organization named by
 * the transaction's {@code app.tenant_id} setting (the one {@link TenantDataSource} sets):
 * {@code ENABLE} and {@code FORCE ROW LEVEL SECURITY} (so the table's owner is confined too) and
 * one policy for every command with the same condition in {@code USING} and {@code WITH CHECK}.
 *
 * <pre>{@code
 * import java.sql.Statement;
 *
 * // Given: Statement statement (the host's migration, as the table owner)
 * for (String sql : RlsPolicies.forTable("notes", "tenant_id").statements()) {
 *   statement.execute(sql);
 * }
 * }</pre>
 *
 * <p>The condition compares the column with {@code NULLIF(current_setting('app.tenant_id', true), '')}:
 * a session that never set the tenant, or whose tenant transaction ended (the setting is then
 * {@code ''}), sees no rows and can insert none. It is a plain equality on a stable expression,
 * so an index on the tenant column serves it.
 *
 * <p>Names are checked ({@code [a-z_][a-z0-9_]{0,62}}, a table optionally schema-qualified) and
 * double-quoted. Immutable and thread-safe.
 */
public final class RlsPolicies {

  /** The setting {@link TenantDataSource} writes by default. */
  public static final String DEFAULT_SETTING = "app.tenant_id";

  /** The policy name this generator uses. */
  public static final String POLICY_NAME = "bulwark_tenant_isolation";

  private static final Pattern IDENT = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern SETTING = Pattern.compile("[a-z_][a-z0-9_]{0,30}\\.[a-z_][a-z0-9_]{0,30}");
  private static final Pattern TYPE = Pattern.compile("text|uuid|bigint|integer|varchar");

  private final String table;
  private final String tenantColumn;
  private final String columnType;
  private final String setting;

  private RlsPolicies(String table, String tenantColumn, String columnType, String setting) {
    this.table = qualified(table);
    this.tenantColumn = quote(requireIdent(tenantColumn));
    if (!TYPE.matcher(columnType).matches()) {
      throw new IllegalArgumentException("tenant column type must be text, uuid, bigint, integer or varchar");
    }
    this.columnType = columnType;
    if (!SETTING.matcher(setting).matches()) {
      throw new IllegalArgumentException("setting must be a custom setting name like app.tenant_id");
    }
    this.setting = setting;
  }

  /** Policies for {@code table} whose organization is in the text column {@code tenantColumn}. */
  public static RlsPolicies forTable(String table, String tenantColumn) {
    return new RlsPolicies(table, tenantColumn, "text", DEFAULT_SETTING);
  }

  /** The same with the tenant column of another type ({@code uuid}, {@code bigint}, ...). */
  public RlsPolicies columnType(String type) {
    return new RlsPolicies(unquote(table), unquote(tenantColumn), Objects.requireNonNull(type, "type"), setting);
  }

  /** The same reading another setting than {@code app.tenant_id}. */
  public RlsPolicies setting(String name) {
    return new RlsPolicies(unquote(table), unquote(tenantColumn), columnType, Objects.requireNonNull(name, "name"));
  }

  /** The condition, usable in the host's own policies or views. */
  public String condition() {
    return tenantColumn + " = NULLIF(current_setting('" + setting + "', true), '')::" + columnType;
  }

  /** ENABLE, FORCE, then (re)create the policy: run them in one transaction as the table owner. */
  public List<String> statements() {
    String cond = condition();
    return List.of(
        "ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS " + POLICY_NAME + " ON " + table,
        "CREATE POLICY " + POLICY_NAME + " ON " + table + " AS PERMISSIVE FOR ALL USING (" + cond
            + ") WITH CHECK (" + cond + ")");
  }

  private static String requireIdent(String s) {
    Objects.requireNonNull(s, "name");
    if (!IDENT.matcher(s).matches()) {
      throw new IllegalArgumentException("name must match [a-z_][a-z0-9_]{0,62}");
    }
    return s;
  }

  static String quote(String ident) {
    return '"' + ident + '"';
  }

  private static String unquote(String q) {
    return q.replace("\"", "");
  }

  static String qualified(String table) {
    Objects.requireNonNull(table, "table");
    int dot = table.indexOf('.');
    if (dot < 0) {
      return quote(requireIdent(table));
    }
    return quote(requireIdent(table.substring(0, dot))) + "." + quote(requireIdent(table.substring(dot + 1)));
  }
}
