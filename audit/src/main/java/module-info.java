/**
 * The tamper-evident audit log, its verifier, anchors and SIEM export.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules").
 */
module dev.bulwark.audit {
  requires transitive dev.bulwark.common;
  requires transitive java.sql;
  requires transitive java.net.http; // the OTLP logs sink takes an HttpClient (a JDK module, no third-party dependency)
  requires com.fasterxml.jackson.core;

  exports dev.bulwark.audit;
  exports dev.bulwark.audit.export;
  exports dev.bulwark.audit.jdbc;
  exports dev.bulwark.audit.spi;
}
