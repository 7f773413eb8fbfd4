package dev.bulwark.spring.autoconfigure;

import dev.bulwark.audit.AuditEvents;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.spring.autoconfigure.internal.Secrets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The audit log ({@code bulwark.audit.*}) and the listeners that write the other modules' events
 * into it: crypto's key events, authn's security events and lifecycle's events each reach the log
 * once, through {@link AuditEvents}. Every bean backs off when the application defines its own.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass(AuditLog.class)
@EnableConfigurationProperties(BulwarkAuditProperties.class)
public class BulwarkAuditAutoConfiguration {

  static final String CHAIN_KEY = "bulwark.audit.chain-key";
  static final String CHECKPOINT_KEY = "bulwark.audit.checkpoint-key";
  static final String VERIFIER_KEY = "bulwark.audit.checkpoint-verifier-key";

  @Bean
  @ConditionalOnMissingBean
  AuditStore bulwarkAuditStore(BulwarkAuditProperties props, ObjectProvider<DataSource> dataSource, Environment env) {
    DataSource ds = dataSource.getIfUnique();
    StoreKind kind = props.store() == StoreKind.AUTO ? (ds != null ? StoreKind.JDBC : StoreKind.FILE) : props.store();
    if (props.store() == StoreKind.AUTO && Secrets.development(env)
        && (Secrets.missing(props.chainKey()) || Secrets.missing(props.checkpointKey()))) {
      // Keys generated for this run cannot verify what an earlier run stored: keep nothing.
      kind = StoreKind.MEMORY;
    }
    switch (kind) {
      case MEMORY:
        return new InMemoryAuditStore();
      case JDBC:
        if (ds == null) {
          throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE,
              "bulwark.audit.store", "auto, memory or file: 'jdbc' needs a single DataSource bean and there is none");
        }
        return new JdbcAuditStore(ds, props.origin());
      default:
        return FileAuditStore.open(props.directory());
    }
  }

  @Bean
  @ConditionalOnMissingBean
  ChainKey bulwarkChainKey(BulwarkAuditProperties props, Environment env) {
    Optional<byte[]> key = Secrets.base64(env, CHAIN_KEY, props.chainKey(), 32, 64);
    byte[] raw = key.orElseGet(() -> Secrets.random(32));
    try {
      return ChainKey.of(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  @Bean
  @ConditionalOnMissingBean
  CheckpointSigner bulwarkCheckpointSigner(BulwarkAuditProperties props, Environment env) {
    Optional<byte[]> pkcs8 = Secrets.base64(env, CHECKPOINT_KEY, props.checkpointKey(), 16, 256);
    if (pkcs8.isEmpty()) {
      return CheckpointSigner.generate(props.origin());
    }
    if (props.checkpointVerifierKey() == null || props.checkpointVerifierKey().isBlank()) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.MISSING_SECRET, VERIFIER_KEY,
          "the public half of " + CHECKPOINT_KEY + " as a signed-note verifier key (name+hash+base64)");
    }
    CheckpointKey publicKey;
    try {
      publicKey = CheckpointKey.parse(props.checkpointVerifierKey().strip());
    } catch (Exception e) {
      throw Secrets.invalid(VERIFIER_KEY, "a signed-note verifier key (name+hash+base64) of an Ed25519 key",
          new IllegalArgumentException(e.getMessage(), e));
    }
    byte[] der = pkcs8.get();
    try {
      PrivateKey privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
      byte[] probe = Secrets.random(32);
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(probe);
      if (!publicKey.verify(probe, s.sign())) {
        throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, VERIFIER_KEY,
            "the public half of " + CHECKPOINT_KEY + "; it belongs to another key");
      }
      return CheckpointSigner.fromPkcs8(publicKey.name(), der, publicKey);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, CHECKPOINT_KEY,
          "Base64 of an Ed25519 private key in PKCS#8 form");
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  @Bean
  @ConditionalOnMissingBean
  AuditLog bulwarkAuditLog(BulwarkAuditProperties props, AuditStore store, CheckpointSigner signer, ChainKey chainKey,
      ObjectProvider<Clock> clock) {
    try {
      return AuditLog.builder(props.origin(), store)
          .clock(clock.getIfUnique(Clock::systemUTC))
          .signer(signer)
          .chainKey(chainKey)
          .checkpointEvery(props.checkpointEveryEvents(), props.checkpointInterval())
          .build();
    } catch (IllegalArgumentException e) {
      throw Secrets.invalid("bulwark.audit", "an origin of 1-256 printable characters without spaces, a positive "
          + "checkpoint-every-events and checkpoint-interval", e);
    }
  }

  @Bean
  @ConditionalOnMissingBean
  AuditVerifier bulwarkAuditVerifier(BulwarkAuditProperties props, CheckpointSigner signer, ChainKey chainKey) {
    return AuditVerifier.builder(props.origin()).trust(signer.publicKey()).chainKey(chainKey).build();
  }

  /** Crypto's key events into the audit log. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.crypto.KeyEventListener")
  static class CryptoEvents {
    @Bean
    dev.bulwark.crypto.KeyEventListener bulwarkAuditKeyEventListener(AuditLog log) {
      return e -> log.append(AuditEvents.toAuditEvent(e.type(), Optional.of(e.keyring()), e.occurredAt(),
          Optional.empty(), e.details()));
    }
  }

  /** Authn's security events (logins, lockouts, sessions, step-ups) into the audit log. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.authn.SecurityEventListener")
  static class AuthnEvents {
    @Bean
    dev.bulwark.authn.SecurityEventListener bulwarkAuditSecurityEventListener(AuditLog log) {
      return e -> log.append(AuditEvents.toAuditEvent(e.type(), e.subject(), e.occurredAt(), e.source(), e.details()));
    }
  }

  /** Lifecycle's events (soft deletes, holds, purges) into the audit log. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.lifecycle.spi.LifecycleListener")
  static class LifecycleEvents {
    @Bean
    dev.bulwark.lifecycle.spi.LifecycleListener bulwarkAuditLifecycleListener(AuditLog log) {
      return e -> log.append(AuditEvents.toAuditEvent(e.name(), e.subject(), e.at(), Optional.empty(), e.auditDetails()));
    }
  }
}
