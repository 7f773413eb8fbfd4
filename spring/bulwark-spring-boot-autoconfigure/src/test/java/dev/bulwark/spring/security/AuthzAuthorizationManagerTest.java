package dev.bulwark.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.authz.AccessControl;
import dev.bulwark.authz.Binding;
import dev.bulwark.authz.InMemoryAuthzStore;
import dev.bulwark.authz.PolicyJson;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Resource;
import dev.bulwark.authz.Scope;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.spring.autoconfigure.BulwarkAuthzAutoConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;

class AuthzAuthorizationManagerTest {

  static final String POLICY = "{ \"version\": \"1\", \"resourceTypes\": { \"note\": [\"read\", \"write\"] },"
      + " \"roles\": { \"reader\": { \"permissions\": [\"note:read\"] } } }";

  @Configuration(proxyBeanMethods = false)
  static class Store {
    @Bean
    AuthzStore authzStore() {
      return new InMemoryAuthzStore();
    }
  }

  private static Authentication user(String name) {
    return UsernamePasswordAuthenticationToken.authenticated(name, "", List.of());
  }

  @Test
  void allowsOnlyWhatAPolicyBindingGrants_defaultDeny() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BulwarkAuthzAutoConfiguration.class))
        .withUserConfiguration(Store.class).run(context -> {
          AccessControl ac = context.getBean(AccessControl.class);
          ac.loadPolicy(PolicyJson.parse(POLICY), "ops");
          ac.bind(Binding.of("b1", Principal.user("carol"), "reader", "acme", Scope.organization()), "ops");
          AuthzAuthorizationManager<String> read = new AuthzAuthorizationManager<>(ac, "read",
              id -> Resource.of("acme", "note", id));
          assertThat(read.authorize(() -> user("carol"), "n1").isGranted()).isTrue();
          assertThat(read.authorize(() -> user("dave"), "n1").isGranted()).isFalse();
          assertThat(new AuthzAuthorizationManager<String>(ac, "write", id -> Resource.of("acme", "note", id))
              .authorize(() -> user("carol"), "n1").isGranted()).isFalse();
          Authentication anonymous = new AnonymousAuthenticationToken("k", "carol",
              AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));
          assertThat(read.authorize(() -> anonymous, "n1").isGranted()).isFalse();
          assertThat(new AuthzAuthorizationManager<String>(ac, "read", id -> {
            throw new IllegalArgumentException("no such note");
          }).authorize(() -> user("carol"), "n1").isGranted()).isFalse();
          // The @PreAuthorize bean: another tenant, or a missing argument, is denied.
          @SuppressWarnings("unchecked")
          AuthzAuthorizationManager<Object> expr = context.getBean("bulwarkAuthz", AuthzAuthorizationManager.class);
          assertThat(expr.allows(user("carol"), "read", "acme", "note", "n1")).isTrue();
          assertThat(expr.allows(user("carol"), "read", "globex", "note", "n1")).isFalse();
          assertThat(expr.allows(user("carol"), "read", null, "note", "n1")).isFalse();
        });
  }
}
