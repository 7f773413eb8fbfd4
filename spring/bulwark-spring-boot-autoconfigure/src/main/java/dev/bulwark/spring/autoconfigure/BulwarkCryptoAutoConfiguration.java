package dev.bulwark.spring.autoconfigure;

import com.google.crypto.tink.Aead;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyEventListener;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import dev.bulwark.crypto.RotationPolicy;
import dev.bulwark.crypto.jdbc.JdbcKeyringStore;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KeyringStore;
import dev.bulwark.spring.autoconfigure.internal.Secrets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;

/**
 * Envelope encryption ({@code bulwark.crypto.*}): a {@link Keyrings} over the application's
 * DataSource or an encrypted keyring file, local key-encryption keys wrapped by the master key,
 * and an {@link Envelope} for the configured keyring. Key events go to every
 * {@link KeyEventListener} bean (the audit log's among them). A host that brings its own
 * {@link KekProvider} (a KMS) and {@link KeyringStore} needs no master key.
 */
@AutoConfiguration(after = BulwarkAuditAutoConfiguration.class, afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass(Keyrings.class)
@EnableConfigurationProperties(BulwarkCryptoProperties.class)
public class BulwarkCryptoAutoConfiguration {

  static final String MASTER_KEY = "bulwark.crypto.master-key";

  /** The master key, decoded once and only when a bean needs it. */
  static final class MasterKey {
    final Aead aead;

    MasterKey(Aead aead) {
      this.aead = aead;
    }

    @Override
    public String toString() {
      return "MasterKey[redacted]";
    }
  }

  @Bean
  @Lazy
  MasterKey bulwarkMasterKey(BulwarkCryptoProperties props, Environment env) throws GeneralSecurityException {
    byte[] raw = Secrets.base64(env, MASTER_KEY, props.masterKey(), 32, 32).orElseGet(() -> Secrets.random(32));
    try {
      return new MasterKey(KekProviders.masterKey(raw));
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  @Bean
  @ConditionalOnMissingBean
  KekProvider bulwarkKekProvider(ObjectProvider<MasterKey> master) {
    return KekProviders.local(master.getObject().aead);
  }

  @Bean
  @ConditionalOnMissingBean
  KeyringStore bulwarkKeyringStore(BulwarkCryptoProperties props, ObjectProvider<DataSource> dataSource,
      ObjectProvider<MasterKey> master, Environment env) throws GeneralSecurityException {
    DataSource ds = dataSource.getIfUnique();
    StoreKind kind = props.store() == StoreKind.AUTO ? (ds != null ? StoreKind.JDBC : StoreKind.FILE) : props.store();
    if (props.store() == StoreKind.AUTO && Secrets.missing(props.masterKey()) && Secrets.development(env)) {
      // A master key generated for this run cannot open what an earlier run stored: keep nothing.
      kind = StoreKind.MEMORY;
    }
    switch (kind) {
      case MEMORY:
        return KeyringStores.inMemory();
      case JDBC:
        if (ds == null) {
          throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE,
              "bulwark.crypto.store", "auto, memory or file: 'jdbc' needs a single DataSource bean and there is none");
        }
        return new JdbcKeyringStore(ds, master.getObject().aead);
      default:
        return KeyringStores.encryptedFile(props.keyringFile(), master.getObject().aead);
    }
  }

  @Bean
  @ConditionalOnMissingBean
  Keyrings bulwarkKeyrings(BulwarkCryptoProperties props, KeyringStore store, KekProvider provider,
      ObjectProvider<KeyEventListener> listeners, ObjectProvider<Clock> clock) {
    RotationPolicy rotation;
    try {
      rotation = new RotationPolicy(props.rotationMaxAge(), props.rotationMaxEncryptions());
    } catch (IllegalArgumentException e) {
      throw Secrets.invalid("bulwark.crypto.rotation-max-age",
          "a positive duration (e.g. 90d) and a positive bulwark.crypto.rotation-max-encryptions", e);
    }
    List<KeyEventListener> all = listeners.orderedStream().toList();
    KeyEventListener listener = all.isEmpty() ? KeyEventListener.NONE : e -> all.forEach(l -> l.onEvent(e));
    return Keyrings.builder(store, provider)
        .clock(clock.getIfUnique(Clock::systemUTC))
        .rotationPolicy(rotation)
        .listener(listener)
        .build();
  }

  @Bean
  @ConditionalOnMissingBean
  Envelope bulwarkEnvelope(BulwarkCryptoProperties props, Keyrings keyrings,
      ObjectProvider<dev.bulwark.crypto.EnvelopeObserver> observers) {
    try {
      Envelope.Builder b = Envelope.builder(keyrings).keyringId(props.keyringId());
      dev.bulwark.crypto.EnvelopeObserver observer = observers.getIfUnique();
      if (observer != null) {
        b.observer(observer);
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw Secrets.invalid("bulwark.crypto.keyring-id", "a keyring id of letters, digits, '.', '_' or '-'", e);
    }
  }
}
