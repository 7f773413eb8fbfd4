package dev.bulwark.spring.autoconfigure;

import dev.bulwark.crypto.Keyrings;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.spi.ExpiryHandler;
import dev.bulwark.lifecycle.spi.KeyShredder;
import dev.bulwark.lifecycle.spi.LifecycleListener;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Retention, soft delete, legal holds and purge. Lifecycle works on the application's own tables,
 * which only the application can map, so the {@link Lifecycle} bean appears once it defines a
 * {@link LifecycleStore} bean (a {@code JdbcLifecycleStore} over its tables). Policies default to
 * {@link RetentionPolicies#defaults()} unless a {@link RetentionPolicies} bean says otherwise;
 * events go to every {@link LifecycleListener} bean (the audit log's among them); with
 * bulwark-crypto present, erasing a subject can shred its keyring scope.
 */
@AutoConfiguration(after = {BulwarkAuditAutoConfiguration.class, BulwarkCryptoAutoConfiguration.class})
@ConditionalOnClass(Lifecycle.class)
public class BulwarkLifecycleAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(LifecycleStore.class)
  Lifecycle bulwarkLifecycle(LifecycleStore store, ObjectProvider<RetentionPolicies> policies,
      ObjectProvider<LifecycleListener> listeners, ObjectProvider<ExpiryHandler> expiry,
      ObjectProvider<KeyShredder> shredder, ObjectProvider<Clock> clock) {
    List<LifecycleListener> all = listeners.orderedStream().toList();
    Lifecycle.Builder b = Lifecycle.builder(store)
        .policies(policies.getIfUnique(RetentionPolicies::defaults))
        .clock(clock.getIfUnique(Clock::systemUTC));
    if (!all.isEmpty()) {
      b.listener(e -> {
        for (LifecycleListener l : all) {
          l.onEvent(e);
        }
      });
    }
    ExpiryHandler h = expiry.getIfUnique();
    if (h != null) {
      b.expiryHandler(h);
    }
    KeyShredder k = shredder.getIfUnique();
    if (k != null) {
      b.keyShredder(k);
    }
    return b.build();
  }

  /** Erasure shreds the subject's keyring scope when bulwark-crypto is configured. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.crypto.Keyrings")
  static class CryptoShredding {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Keyrings.class)
    KeyShredder bulwarkKeyShredder(Keyrings keyrings) {
      return subject -> {
        var receipt = keyrings.shred(subject);
        return "shred:" + receipt.scope() + "@" + receipt.shreddedAt();
      };
    }
  }
}
