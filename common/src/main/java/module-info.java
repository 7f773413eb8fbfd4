/**
 * Bulwark's shared plumbing: {@code Bytes}, {@code StoreException}, the event delivery and the JDBC
 * kit. The internal packages are exported only to Bulwark's own modules: {@code internal} to all of
 * them, the store kits ({@code internal.jdbc}, {@code internal.redis}) to the modules whose stores
 * are built on them.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules"). Lettuce is
 * optional (only {@code dev.bulwark.common.internal.redis} needs it, and only a module's Redis
 * store uses that).
 */
module dev.bulwark.common {
  requires transitive java.sql;
  requires static lettuce.core;

  exports dev.bulwark.common;
  exports dev.bulwark.common.event;
  exports dev.bulwark.common.jdbc;
  exports dev.bulwark.common.redis;

  exports dev.bulwark.common.internal to
      dev.bulwark.crypto,
      dev.bulwark.authn,
      dev.bulwark.audit,
      dev.bulwark.detect,
      dev.bulwark.lifecycle,
      dev.bulwark.ratelimit,
      dev.bulwark.authz,
      dev.bulwark.sso;
  exports dev.bulwark.common.internal.jdbc to
      dev.bulwark.ratelimit,
      dev.bulwark.detect,
      dev.bulwark.authn;
  exports dev.bulwark.common.internal.redis to
      dev.bulwark.ratelimit,
      dev.bulwark.detect,
      dev.bulwark.authn;
}
