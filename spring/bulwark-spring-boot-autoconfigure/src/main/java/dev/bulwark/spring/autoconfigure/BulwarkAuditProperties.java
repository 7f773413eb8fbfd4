package dev.bulwark.spring.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bulwark.audit.*}: the tamper-evident audit log.
 *
 * @param origin the log's name, written into every checkpoint (no spaces)
 * @param chainKey Base64 of the HMAC key of the hash chain (32 to 64 random bytes). Required
 *     outside a development profile; the verifier needs it too, the store must not hold it.
 * @param checkpointKey Base64 of the Ed25519 private key (PKCS#8) that signs checkpoints. Required
 *     outside a development profile.
 * @param checkpointVerifierKey the signer's public key as a signed-note verifier key
 *     ({@code name+hash+base64}), checked against {@code checkpointKey} at start-up
 * @param store AUTO (the DataSource if there is one, otherwise files), MEMORY, FILE or JDBC
 * @param directory the log's directory for the FILE store
 * @param checkpointEveryEvents sign a checkpoint after this many events
 * @param checkpointInterval or after this much time
 */
@ConfigurationProperties(prefix = "bulwark.audit", ignoreUnknownFields = false)
public record BulwarkAuditProperties(
    @DefaultValue("bulwark") String origin,
    String chainKey,
    String checkpointKey,
    String checkpointVerifierKey,
    @DefaultValue("auto") StoreKind store,
    @DefaultValue("bulwark-data/audit") Path directory,
    @DefaultValue("1000") long checkpointEveryEvents,
    @DefaultValue("10s") Duration checkpointInterval) {

  @Override
  public String toString() {
    return "BulwarkAuditProperties[origin=" + origin + ", chainKey=" + (chainKey == null ? "unset" : "(redacted)")
        + ", checkpointKey=" + (checkpointKey == null ? "unset" : "(redacted)") + ", checkpointVerifierKey="
        + checkpointVerifierKey + ", store=" + store + ", directory=" + directory + ", checkpointEveryEvents="
        + checkpointEveryEvents + ", checkpointInterval=" + checkpointInterval + "]";
  }
}
