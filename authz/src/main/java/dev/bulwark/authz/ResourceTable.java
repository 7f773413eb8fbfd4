package dev.bulwark.authz;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the rows of one table are resources, for {@link Authorizer#sqlFilter}: which resource type
 * they are, and which columns hold the organization, the resource id and (optionally) the
 * {@code text[]} of ancestor keys ({@code type:id}) that subtree scopes match.
 *
 * <p>Column names are checked against {@code [a-z_][a-z0-9_]{0,62}} (optionally qualified by
 * a table alias, {@code n.tenant_id}) and always emitted double-quoted, so no text from a request
 * or a policy ever becomes SQL syntax.
 *
 * @param resourceType the declared resource type of every row
 * @param tenantColumn column holding the organization id (text)
 * @param idColumn column holding the resource id (text)
 * @param ancestorsColumn column of type {@code text[]} holding ancestor keys; NULL means none
 */
public record ResourceTable(String resourceType, String tenantColumn, String idColumn,
    Optional<String> ancestorsColumn) {

  private static final Pattern COLUMN = Pattern.compile("([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}");

  public ResourceTable {
    Names.requireName(resourceType, "resource type");
    column(tenantColumn);
    column(idColumn);
    Objects.requireNonNull(ancestorsColumn, "ancestorsColumn").ifPresent(ResourceTable::column);
  }

  public static ResourceTable of(String resourceType, String tenantColumn, String idColumn) {
    return new ResourceTable(resourceType, tenantColumn, idColumn, Optional.empty());
  }

  public ResourceTable withAncestors(String column) {
    return new ResourceTable(resourceType, tenantColumn, idColumn, Optional.of(column));
  }

  private static void column(String c) {
    Objects.requireNonNull(c, "column");
    if (!COLUMN.matcher(c).matches()) {
      throw new IllegalArgumentException("column must match [a-z_][a-z0-9_]{0,62}, optionally alias-qualified");
    }
  }

  /** Double-quotes each part of a validated, possibly alias-qualified column name. */
  static String quote(String column) {
    int dot = column.indexOf('.');
    return dot < 0 ? '"' + column + '"' : '"' + column.substring(0, dot) + "\".\"" + column.substring(dot + 1) + '"';
  }

  String quotedTenantColumn() {
    return quote(tenantColumn);
  }

  String quotedIdColumn() {
    return quote(idColumn);
  }

  String quotedAncestorsColumn() {
    return quote(ancestorsColumn.orElseThrow());
  }
}
