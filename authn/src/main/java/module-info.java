/**
 * Passwords, lockout, TOTP, recovery codes, the login flow, sessions, WebAuthn, step-up, grants
 * and tokens.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules"). Yubico's and
 * Nimbus's libraries are used inside only (no exported signature names their types, which
 * {@code ForeignTypesTest} checks), so a host's module does not read them through this one;
 * Lettuce is optional (only {@code dev.bulwark.authn.redis} needs it, and its API names it).
 */
module dev.bulwark.authn {
  requires transitive dev.bulwark.common;
  requires transitive java.sql;
  requires com.yubico.webauthn;
  requires com.nimbusds.jose.jwt;
  requires static transitive lettuce.core;
  requires com.eatthepath.otp;
  requires com.google.zxing;
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.core;
  requires org.bouncycastle.provider;
  requires java.desktop;

  exports dev.bulwark.authn;
  exports dev.bulwark.authn.flow;
  exports dev.bulwark.authn.flow.spi;
  exports dev.bulwark.authn.grant;
  exports dev.bulwark.authn.grant.jdbc;
  exports dev.bulwark.authn.grant.spi;
  exports dev.bulwark.authn.lockout;
  exports dev.bulwark.authn.lockout.jdbc;
  exports dev.bulwark.authn.lockout.spi;
  exports dev.bulwark.authn.password;
  exports dev.bulwark.authn.password.spi;
  exports dev.bulwark.authn.recovery;
  exports dev.bulwark.authn.recovery.spi;
  exports dev.bulwark.authn.redis;
  exports dev.bulwark.authn.session;
  exports dev.bulwark.authn.session.jdbc;
  exports dev.bulwark.authn.session.spi;
  exports dev.bulwark.authn.stepup;
  exports dev.bulwark.authn.token;
  exports dev.bulwark.authn.totp;
  exports dev.bulwark.authn.totp.jdbc;
  exports dev.bulwark.authn.totp.spi;
  exports dev.bulwark.authn.webauthn;
  exports dev.bulwark.authn.webauthn.jdbc;
  exports dev.bulwark.authn.webauthn.spi;
}
