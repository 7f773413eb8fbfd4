package dev.bulwark.spring.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bulwark.crypto.*}: envelope encryption with rotating keys.
 *
 * @param masterKey Base64 of the 32-byte master key that wraps every key-encryption key. Required
 *     outside a development profile; keep it in a secret store, never in a file next to the data.
 * @param keyringId the keyring the {@code Envelope} bean encrypts with
 * @param store where keyrings are kept: AUTO (the DataSource if there is one, otherwise a file),
 *     MEMORY, FILE or JDBC
 * @param keyringFile the encrypted keyring file for the FILE store
 * @param rotationMaxAge rotate a key-encryption key older than this (e.g. 90d)
 * @param rotationMaxEncryptions rotate after this many encryptions under one key
 */
@ConfigurationProperties(prefix = "bulwark.crypto", ignoreUnknownFields = false)
public record BulwarkCryptoProperties(
    String masterKey,
    @DefaultValue("default") String keyringId,
    @DefaultValue("auto") StoreKind store,
    @DefaultValue("bulwark-data/keyrings.bin") Path keyringFile,
    @DefaultValue("90d") Duration rotationMaxAge,
    @DefaultValue("1073741824") long rotationMaxEncryptions) {

  @Override
  public String toString() {
    return "BulwarkCryptoProperties[masterKey=" + (masterKey == null ? "unset" : "(redacted)") + ", keyringId="
        + keyringId + ", store=" + store + ", keyringFile=" + keyringFile + ", rotationMaxAge=" + rotationMaxAge
        + ", rotationMaxEncryptions=" + rotationMaxEncryptions + "]";
  }
}
