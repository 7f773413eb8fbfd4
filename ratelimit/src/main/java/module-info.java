/**
 * Rate limiting with in-memory, PostgreSQL and Redis stores.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules"). Lettuce is
 * optional (only {@code dev.bulwark.ratelimit.redis} needs it).
 */
module dev.bulwark.ratelimit {
  requires transitive dev.bulwark.common;
  requires transitive java.sql;
  requires static transitive lettuce.core;
  requires com.github.benmanes.caffeine;

  exports dev.bulwark.ratelimit;
  exports dev.bulwark.ratelimit.jdbc;
  exports dev.bulwark.ratelimit.redis;
  exports dev.bulwark.ratelimit.spi;
}
