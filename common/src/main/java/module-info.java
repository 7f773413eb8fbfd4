/**
 * Bulwark's shared plumbing: {@code Bytes}, {@code StoreException}, the event delivery and the JDBC
 * kit. The internal package is exported only to Bulwark's own modules.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules").
 */
module dev.bulwark.common {
  requires transitive java.sql;

  exports dev.bulwark.common;
  exports dev.bulwark.common.event;
  exports dev.bulwark.common.jdbc;

  exports dev.bulwark.common.internal to
      dev.bulwark.crypto,
      dev.bulwark.authn,
      dev.bulwark.audit,
      dev.bulwark.detect,
      dev.bulwark.lifecycle,
      dev.bulwark.ratelimit,
      dev.bulwark.authz,
      dev.bulwark.sso;
}
