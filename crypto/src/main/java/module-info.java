/**
 * Envelope encryption with rotating, shreddable keys.
 *
 * <p>Exports: every package except {@code internal} ones (README.md, "Modules"). Tink's {@code Aead}
 * appears in the API ({@code KekProviders}), hence {@code requires transitive}.
 */
module dev.bulwark.crypto {
  requires transitive dev.bulwark.common;
  requires transitive java.sql;
  requires transitive com.google.crypto.tink;

  exports dev.bulwark.crypto;
  exports dev.bulwark.crypto.jdbc;
  exports dev.bulwark.crypto.spi;
}
