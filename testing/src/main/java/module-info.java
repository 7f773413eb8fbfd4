/**
 * Dependency-free fixtures for Bulwark's tests and a host's: {@code FakeClock}, the property runner
 * and generators, the PostgreSQL schema fixture and test pool, the Redis fixture, the virtual WebAuthn authenticator.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules").
 */
module dev.bulwark.testing {
  requires transitive java.sql;

  exports dev.bulwark.testing;
  exports dev.bulwark.testing.pg;
  exports dev.bulwark.testing.redis;
  exports dev.bulwark.testing.webauthn;
}
