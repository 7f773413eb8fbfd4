/**
 * Dependency-free fixtures for Bulwark's tests and a host's: {@code FakeClock}, the property runner
 * and generators, a log capture, the PostgreSQL schema fixture and test pool, the Redis fixture, the
 * virtual WebAuthn authenticator, a hostile endless HTTP answer, a local Keycloak and a SAML
 * service provider's throw-away keys.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules").
 */
module dev.bulwark.testing {
  requires transitive java.sql;
  requires transitive java.logging;
  requires java.net.http;
  requires transitive jdk.httpserver;

  exports dev.bulwark.testing;
  exports dev.bulwark.testing.http;
  exports dev.bulwark.testing.keycloak;
  exports dev.bulwark.testing.pg;
  exports dev.bulwark.testing.redis;
  exports dev.bulwark.testing.webauthn;
}
