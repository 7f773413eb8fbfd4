package dev.bulwark.spring.autoconfigure;

/** Where a module keeps its state. */
public enum StoreKind {
  /** JDBC when the application has a {@code DataSource}, otherwise the embedded default. */
  AUTO,
  /** In memory: lost at restart. For tests and development. */
  MEMORY,
  /** Files under a directory of this machine (audit log, keyrings). */
  FILE,
  /** The application's {@code DataSource} (PostgreSQL). */
  JDBC
}
