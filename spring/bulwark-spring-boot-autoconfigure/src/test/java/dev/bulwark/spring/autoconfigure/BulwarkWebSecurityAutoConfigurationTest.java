package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.spring.security.BulwarkSecurityContextRepository;
import dev.bulwark.spring.security.BulwarkSessionCookie;
import dev.bulwark.spring.security.BulwarkWebAuthnEndpoints;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The session repository and WebAuthn beans: created from properties, validated at start-up, backing off. */
class BulwarkWebSecurityAutoConfigurationTest {

  static final AutoConfigurations CONFIGS = AutoConfigurations.of(BulwarkAuditAutoConfiguration.class,
      BulwarkCryptoAutoConfiguration.class, BulwarkAuthnAutoConfiguration.class, BulwarkSecurityAutoConfiguration.class,
      BulwarkWebAuthnAutoConfiguration.class, BulwarkWebSecurityAutoConfiguration.class);

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner().withConfiguration(CONFIGS)
      .withUserConfiguration(Accounts.class).withPropertyValues(TestSecrets.all())
      .withPropertyValues("bulwark.crypto.store=memory", "bulwark.audit.store=memory", "bulwark.authn.store=memory");

  private static final String[] RP = {"bulwark.authn.webauthn.rp-id=example.com",
      "bulwark.authn.webauthn.origins=https://example.com,https://login.example.com"};

  @Configuration(proxyBeanMethods = false)
  static class Accounts {
    @Bean
    AccountDirectory accountDirectory() {
      return username -> Optional.empty();
    }
  }

  private static BulwarkConfigurationException failure(Throwable t) {
    for (; t != null; t = t.getCause()) {
      if (t instanceof BulwarkConfigurationException e) {
        return e;
      }
    }
    throw new AssertionError("no BulwarkConfigurationException");
  }

  @Test
  void defaults_areASecureHostCookie_andNoWebAuthnWithoutAnRpId() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(BulwarkSecurityContextRepository.class)
          .doesNotHaveBean(WebAuthn.class).doesNotHaveBean(BulwarkWebAuthnEndpoints.class);
      assertThat(context.getBean(BulwarkSecurityContextRepository.class).cookie())
          .isEqualTo(BulwarkSessionCookie.secureDefaults());
    });
  }

  @Test
  void webAuthn_isConfiguredFromProperties() {
    runner.withPropertyValues(RP).withPropertyValues("bulwark.authn.webauthn.rp-name=Example",
        "bulwark.authn.session-cookie.same-site=strict").run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(WebAuthn.class).hasSingleBean(BulwarkWebAuthnEndpoints.class);
          WebAuthnPolicy p = context.getBean(WebAuthnPolicy.class);
          assertThat(p.rpId()).isEqualTo("example.com");
          assertThat(p.rpName()).isEqualTo("Example");
          assertThat(p.origins()).containsExactlyInAnyOrder("https://example.com", "https://login.example.com");
          assertThat(p.userVerification()).isEqualTo(WebAuthnPolicy.UserVerification.REQUIRED);
          assertThat(context.getBean(BulwarkSecurityContextRepository.class).cookie().sameSite())
              .isEqualTo(BulwarkSessionCookie.SameSite.STRICT);
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "bulwark.authn.webauthn.origins=|bulwark.authn.webauthn.origins",
      "bulwark.authn.webauthn.origins=https://evil.test|bulwark.authn.webauthn.origins",
      "bulwark.authn.webauthn.origins=https://notexample.com|bulwark.authn.webauthn.origins",
      "bulwark.authn.webauthn.origins=http://example.com|bulwark.authn.webauthn.origins",
      "bulwark.authn.webauthn.origins=https://example.com/login|bulwark.authn.webauthn.origins",
      "bulwark.authn.webauthn.rp-id=https://example.com|bulwark.authn.webauthn.rp-id",
      "bulwark.authn.webauthn.rp-id=Example.com|bulwark.authn.webauthn.rp-id",
      "bulwark.authn.webauthn.registration-max-age=2h|bulwark.authn.webauthn.registration-max-age",
      "bulwark.authn.webauthn.max-request-size=10MB|bulwark.authn.webauthn.max-request-size",
      "bulwark.authn.session-cookie.name=bad name|bulwark.authn.session-cookie.name",
  })
  void wrongValues_failStartUpNamingTheProperty(String setting, String property) {
    runner.withPropertyValues(RP).withPropertyValues(setting)
        .run(context -> assertThat(failure(context.getStartupFailure()).property()).isEqualTo(property));
  }

  @Test
  void insecureCookie_isRefusedOutsideDevelopment_andNeedsANameWithoutThePrefix() {
    runner.withPropertyValues("bulwark.authn.session-cookie.secure=false", "bulwark.authn.session-cookie.name=sid")
        .run(context -> assertThat(failure(context.getStartupFailure()).property())
            .isEqualTo("bulwark.authn.session-cookie.secure"));
    runner.withPropertyValues("spring.profiles.active=dev", "bulwark.authn.session-cookie.secure=false")
        .run(context -> assertThat(failure(context.getStartupFailure()).property())
            .isEqualTo("bulwark.authn.session-cookie.name"));
    runner.withPropertyValues("spring.profiles.active=dev", "bulwark.authn.session-cookie.secure=false",
        "bulwark.authn.session-cookie.name=bulwark-session").run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(BulwarkSecurityContextRepository.class).cookie())
              .isEqualTo(BulwarkSessionCookie.development("bulwark-session", BulwarkSessionCookie.SameSite.LAX));
        });
  }

  @Test
  void misspelledCookieProperty_failsStartUp() {
    runner.withPropertyValues("bulwark.authn.session-cookie.same-sight=strict").run(context -> {
      assertThat(context).hasFailed();
      StringBuilder chain = new StringBuilder();
      for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
        chain.append(t.getMessage()).append('\n');
      }
      assertThat(chain.toString()).contains("bulwark.authn.session-cookie.same-sight");
    });
  }

  @Test
  void beansBackOff_toTheApplicationsOwn() {
    runner.withPropertyValues(RP).withUserConfiguration(Own.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(BulwarkSecurityContextRepository.class).cookie().name()).isEqualTo("mine");
      assertThat(context.getBean(WebAuthnPolicy.class).rpId()).isEqualTo("own.example");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class Own {
    @Bean
    BulwarkSecurityContextRepository repository(Sessions sessions) {
      return new BulwarkSecurityContextRepository(sessions, new BulwarkSessionCookie("mine", true,
          BulwarkSessionCookie.SameSite.STRICT), Clock.systemUTC());
    }

    @Bean
    WebAuthnPolicy policy() {
      return new WebAuthnPolicy("own.example", "Own", Set.of("https://own.example"),
          WebAuthnPolicy.UserVerification.REQUIRED, WebAuthnPolicy.ResidentKey.PREFERRED,
          WebAuthnPolicy.Attestation.NONE, true, java.time.Duration.ofMinutes(5), dev.bulwark.authn.webauthn.CounterPolicy.FLAG);
    }
  }

  @Test
  void outsideAServletApplication_thereIsNoRepository() {
    new ApplicationContextRunner().withConfiguration(CONFIGS).withUserConfiguration(Accounts.class)
        .withPropertyValues(TestSecrets.all())
        .withPropertyValues("bulwark.crypto.store=memory", "bulwark.audit.store=memory", "bulwark.authn.store=memory")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BulwarkSecurityContextRepository.class));
  }
}
