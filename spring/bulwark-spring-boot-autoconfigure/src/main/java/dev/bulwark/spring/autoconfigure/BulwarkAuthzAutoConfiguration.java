package dev.bulwark.spring.autoconfigure;

import dev.bulwark.authz.AccessControl;
import dev.bulwark.authz.AuthzListener;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.spring.security.AuthzAuthorizationManager;
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
 * Bulwark authz when it is on the class path and the application defines an {@link AuthzStore}
 * (its policy and bindings): an {@link AccessControl}, and with Spring Security a bean named
 * {@code bulwarkAuthz} for {@code @PreAuthorize} expressions.
 */
@AutoConfiguration
@ConditionalOnClass(AccessControl.class)
public class BulwarkAuthzAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(AuthzStore.class)
  AccessControl bulwarkAccessControl(AuthzStore store, ObjectProvider<AuthzListener> listeners,
      ObjectProvider<Clock> clock) {
    List<AuthzListener> all = listeners.orderedStream().toList();
    AccessControl.Builder b = AccessControl.builder(store).clock(clock.getIfUnique(Clock::systemUTC));
    if (!all.isEmpty()) {
      b.listener(e -> all.forEach(l -> l.onEvent(e)));
    }
    return b.build();
  }

  /** {@code @bulwarkAuthz.allows(...)} in Spring Security expressions. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.security.authorization.AuthorizationManager")
  static class Security {
    @Bean(name = "bulwarkAuthz")
    @ConditionalOnMissingBean(name = "bulwarkAuthz")
    @ConditionalOnBean(AuthzStore.class)
    AuthzAuthorizationManager<Object> bulwarkAuthz(AccessControl access) {
      return AuthzAuthorizationManager.expressions(access);
    }
  }
}
