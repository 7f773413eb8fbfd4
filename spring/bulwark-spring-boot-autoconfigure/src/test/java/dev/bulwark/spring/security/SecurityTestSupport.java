package dev.bulwark.spring.security;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.spring.autoconfigure.BulwarkAuditAutoConfiguration;
import dev.bulwark.spring.autoconfigure.BulwarkAuthnAutoConfiguration;
import dev.bulwark.spring.autoconfigure.BulwarkCryptoAutoConfiguration;
import dev.bulwark.spring.autoconfigure.BulwarkSecurityAutoConfiguration;
import dev.bulwark.testing.FakeClock;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

final class SecurityTestSupport {

  private SecurityTestSupport() {}

  static String random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  /** A host with accounts alice (user) and root (admin), a fake clock, and every store in memory. */
  @Configuration(proxyBeanMethods = false)
  static class Host {
    final Map<String, Account> accounts = new ConcurrentHashMap<>();
    final FakeClock clock = FakeClock.atDefaultEpoch();

    @Bean
    FakeClock clock() {
      return clock;
    }

    @Bean
    AccountDirectory accountDirectory() {
      return username -> Optional.ofNullable(accounts.get(username));
    }
  }

  static ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BulwarkAuditAutoConfiguration.class,
            BulwarkCryptoAutoConfiguration.class, BulwarkAuthnAutoConfiguration.class,
            BulwarkSecurityAutoConfiguration.class))
        .withUserConfiguration(Host.class)
        .withPropertyValues("spring.profiles.active=dev", "bulwark.crypto.store=memory", "bulwark.audit.store=memory",
            "bulwark.authn.store=memory", "bulwark.authn.pepper=" + random(32));
  }

  /** Adds alice (no roles) and root (admin) with password {@code password}. */
  static void accounts(ApplicationContext context, String password) {
    PasswordHasher hasher = context.getBean(PasswordHasher.class);
    Host host = context.getBean(Host.class);
    host.accounts.put("alice", new Account("alice", hasher.hash(password), Set.of("editor")));
    host.accounts.put("root", new Account("root", hasher.hash(password), Set.of("admin")));
  }

  static List<String> actions(ApplicationContext context) {
    return context.getBean(AuditLog.class).query(AuditQuery.ALL).map(LoggedEvent::event)
        .map(e -> e.action().name()).toList();
  }

  static long count(ApplicationContext context, String action) {
    return actions(context).stream().filter(action::equals).count();
  }
}
