/**
 * Retention, soft delete and restore, legal holds, purge with evidence, erasure.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules").
 */
module dev.bulwark.lifecycle {
  requires transitive dev.bulwark.common;
  requires transitive java.sql;

  exports dev.bulwark.lifecycle;
  exports dev.bulwark.lifecycle.jdbc;
  exports dev.bulwark.lifecycle.spi;
}
