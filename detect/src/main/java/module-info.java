/**
 * Anomaly detection over a host's security events, and breached-password checks.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules"). Lettuce is
 * optional (only {@code dev.bulwark.detect.redis} needs it).
 */
module dev.bulwark.detect {
  requires transitive dev.bulwark.common;
  requires transitive java.net.http;
  requires transitive java.sql;
  requires static lettuce.core;

  exports dev.bulwark.detect;
  exports dev.bulwark.detect.jdbc;
  exports dev.bulwark.detect.redis;
  exports dev.bulwark.detect.spi;
}
