/**
 * Anomaly detection over a host's security events, and breached-password checks.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules").
 */
module dev.bulwark.detect {
  requires transitive dev.bulwark.common;
  requires transitive java.net.http;

  exports dev.bulwark.detect;
  exports dev.bulwark.detect.spi;
}
