/**
 * Role-based access control with scopes and denies, SQL predicates, row-level security.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules").
 */
module dev.bulwark.authz {
  requires transitive dev.bulwark.common;
  requires transitive java.sql;
  requires com.fasterxml.jackson.core;

  exports dev.bulwark.authz;
  exports dev.bulwark.authz.jdbc;
  exports dev.bulwark.authz.spi;
}
